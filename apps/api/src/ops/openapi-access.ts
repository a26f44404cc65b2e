import { problemBody } from '../http/problems';
import type { OpenAPIObject, SwaggerCustomOptions } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, ApiKeyRing } from '@earmark/runtime';

export const openApiJsonPath = '/docs/json';

/** The browser globals the page's request hook below uses (this project compiles without the DOM library). */
declare const window: {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  prompt(message: string): string | null;
};


/**
 * The OpenAPI document, like everything but health, needs a token (any role). The `/docs` page is
 * a public shell: it carries no document (Nest would inline the whole document into its start-up
 * script) and fetches `/docs/json` with the token the dashboard keeps for this browser tab, asking
 * for one when there is none. The YAML copy is not served.
 */
export const openApiUiOptions: SwaggerCustomOptions = {
  jsonDocumentUrl: openApiJsonPath.slice(1),
  raw: ['json'],
  // The same hook serves /docs/json (which keeps the document) and the page's start-up script (which does not).
  patchDocumentOnRequest: <Request, Response>(request: Request, _response: Response, document: OpenAPIObject) =>
    (/swagger-ui-init\.js(\?|$)/.test((request as { url?: string }).url ?? '') ? undefined : document) as OpenAPIObject,
  swaggerOptions: {
    url: openApiJsonPath,
    persistAuthorization: false,
    // Serialised into the page as source text: it may use only what a browser provides.
    requestInterceptor: (request: { headers: Record<string, string> }) => {
      const storageKey = 'earmark-token';
      let token = window.sessionStorage.getItem(storageKey);
      if (!token) {
        token = window.prompt('Bearer token (any role) to read the API description') ?? '';
        if (token) window.sessionStorage.setItem(storageKey, token);
      }
      if (token && !request.headers['Authorization']) request.headers['Authorization'] = `Bearer ${token}`;
      return request;
    },
  },
};

/** Answers `/docs/json` without a valid token with the API's 401, before any route runs. */
export function protectOpenApiDocument(fastify: FastifyInstance, keys: ApiKeyRing): void {
  fastify.addHook('onRequest', (request: FastifyRequest & { apiKey?: ApiKey; problemCode?: string }, reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (path !== openApiJsonPath) return done();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const key = match ? keys.find(match[1]) : undefined;
    if (key) {
      request.apiKey = key;
      return done();
    }
    const body = problemBody('unauthenticated', match ? 'unknown, expired or revoked token' : 'send Authorization: Bearer <token>');
    request.problemCode = body.code;
    void reply.status(401).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  });
}
