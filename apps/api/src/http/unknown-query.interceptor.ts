import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ValidationFailed } from './problem.filter';

/** Every GET (and so HEAD) takes ?minPosition= (API.md: consistency), read by the MinPositionInterceptor. */
const everyGetTakes = ['minPosition'];

/**
 * A query parameter the endpoint does not read is refused the way an unknown body field is: 400
 * `validation-failed` naming it, so that a misspelt `?asof=` cannot silently answer today's books.
 * What an endpoint reads is what its handler declares with `@Query('name')`.
 */
@Injectable()
export class UnknownQueryInterceptor implements NestInterceptor {
  private readonly known = new WeakMap<object, ReadonlySet<string> | 'any'>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const query = request.query as Record<string, unknown> | undefined;
    const names = query ? Object.keys(query) : [];
    if (names.length === 0) return next.handle();
    const allowed = this.allowedFor(context, request.method);
    if (allowed === 'any') return next.handle();
    const unknown = names.filter((name) => !allowed.has(name));
    if (unknown.length > 0) {
      throw new ValidationFailed(unknown.map((name) => ({ path: name, message: `query parameter ${name} should not exist` })));
    }
    return next.handle();
  }

  private allowedFor(context: ExecutionContext, method: string): ReadonlySet<string> | 'any' {
    const handler = context.getHandler();
    const cached = this.known.get(handler);
    if (cached) return cached;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, { data?: unknown }>;
    const names = new Set<string>(method === 'GET' || method === 'HEAD' ? everyGetTakes : []);
    let any = false;
    for (const [key, { data }] of Object.entries(args)) {
      if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
      if (typeof data === 'string') names.add(data);
      else any = true;
    }
    const result = any ? 'any' : names;
    this.known.set(handler, result);
    return result;
  }
}
