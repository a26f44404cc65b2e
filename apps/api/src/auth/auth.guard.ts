import { Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApplicationError, type Reader } from '@earmark/application';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRing, type ApiKey, type Role } from '@earmark/runtime';

const rolesKey = 'earmark:roles';
const publicKey = 'earmark:public';

/** The roles allowed on a route or controller. */
export const Roles = (...allowed: Role[]) => SetMetadata(rolesKey, allowed);
/** A route anyone may call (health, the dashboard page, the OpenAPI document). */
export const Public = () => SetMetadata(publicKey, true);

type AuthedRequest = FastifyRequest & { apiKey?: ApiKey };

/** Bearer tokens checked against the keys file: no token or an unknown one is 401, a wrong role 403. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRing, private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(publicKey, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new ApplicationError('unauthenticated', 'send Authorization: Bearer <token>');
    const key = this.keys.find(match[1]);
    if (!key) throw new ApplicationError('unauthenticated', 'unknown, expired or revoked token');
    // Known from here on, refused or not: the request log names the key.
    request.apiKey = key;
    const allowed = this.reflector.getAllAndOverride<Role[]>(rolesKey, targets) ?? [];
    if (!allowed.includes(key.role)) {
      throw new ApplicationError('forbidden', `role ${key.role} may not call ${request.method} ${request.routeOptions?.url ?? request.url}`);
    }
    return true;
  }
}

/** The API key the guard accepted. */
export const CurrentKey = createParamDecorator((_data: unknown, context: ExecutionContext): ApiKey => {
  const key = context.switchToHttp().getRequest<AuthedRequest>().apiKey;
  if (!key) throw new Error('CurrentKey used on a route without the AuthGuard');
  return key;
});

/** The accepted key as a reader of the books: its name, role and regions, not its token hash. */
export const CurrentReader = createParamDecorator((_data: unknown, context: ExecutionContext): Reader => {
  const key = context.switchToHttp().getRequest<AuthedRequest>().apiKey;
  if (!key) throw new Error('CurrentReader used on a route without the AuthGuard');
  return { name: key.name, role: key.role, regions: key.regions };
});
