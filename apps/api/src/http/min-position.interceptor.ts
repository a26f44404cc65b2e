import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ProjectionWaiter } from '@earmark/application';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { parsePosition } from './query-params';

/** Any GET with ?minPosition=N answers once the projections have reached N (API.md: consistency). */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(private readonly waiter: ProjectionWaiter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = (request.query as Record<string, string | undefined> | undefined)?.['minPosition'];
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    const position = parsePosition('minPosition', raw) ?? 0n;
    return from(this.waiter.waitFor(position)).pipe(switchMap(() => next.handle()));
  }
}
