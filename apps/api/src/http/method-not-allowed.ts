import { HttpException } from '@nestjs/common';
import type { FastifyInstance, HTTPMethods } from 'fastify';

/** A known path asked with a method it does not answer. */
export class MethodNotAllowed extends HttpException {
  constructor(readonly method: string, readonly allowed: readonly string[]) {
    super(`${method} is not answered here; send ${allowed.join(', ')}`, 405);
  }
}

/** The methods the router answers on `path` (a concrete path: parameters match any segment). */
export function allowedMethods(fastify: FastifyInstance, path: string): string[] {
  return fastify.supportedMethods.filter((method) => fastify.findRoute({ method: method as HTTPMethods, url: path }) !== null);
}

/**
 * Turns a 404 for a path that exists under other methods into a 405 carrying them (the filter
 * writes them as `Allow`). It runs on request, before the body is read: a PUT with a body Fastify
 * would refuse as 415 is still told which methods the path takes. The route table is Fastify's
 * own, so a route added later needs no list kept here.
 */
export function refuseWrongMethods(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const allowed = allowedMethods(fastify, request.url.split('?')[0]);
    if (allowed.length > 0) throw new MethodNotAllowed(request.method, allowed);
  });
}
