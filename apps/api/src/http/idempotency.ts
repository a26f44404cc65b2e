import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { canonicalJson, sha256Hex, type JsonValue } from '@earmark/event-store';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed } from './problem.filter';
import { idempotencyKeyPattern } from './validation';

export interface IdempotencyInput {
  readonly key: string;
  /** SHA-256 of the method, the route and the canonical body: the same request hashes the same. */
  readonly requestHash: string;
}

/** Every POST carries an Idempotency-Key; a missing one is a 400 before anything is decided. */
export const Idempotency = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotencyInput => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['idempotency-key'];
  if (header === undefined || header === '') {
    throw new ValidationFailed([{ path: 'Idempotency-Key', message: 'the Idempotency-Key header is required' }], 'idempotency-key-missing');
  }
  if (typeof header !== 'string' || !idempotencyKeyPattern.test(header)) {
    throw new ValidationFailed([{ path: 'Idempotency-Key', message: 'must be 1 to 128 of A-Z a-z 0-9 . _ : -' }]);
  }
  const requestHash = sha256Hex(`${request.method}\n${request.url.split('?')[0]}\n${canonicalJson((request.body ?? null) as JsonValue)}`);
  return { key: header, requestHash };
});
