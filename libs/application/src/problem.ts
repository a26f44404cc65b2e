import type { RuleErrorCode } from '@earmark/domain';

/** The stable error codes (API.md); their HTTP statuses and titles are the API's (apps/api/src/http/problems.ts). */
export type ProblemCode =
  | RuleErrorCode
  | 'validation-failed'
  | 'idempotency-key-missing'
  | 'malformed-json'
  | 'unauthenticated'
  | 'forbidden'
  | 'idempotency-key-reused'
  | 'concurrency-conflict'
  | 'payload-too-large'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'invalid-transition'
  | 'projection-lagging'
  | 'internal-error'
  | 'unavailable';

/** A failure the application reports with a stable code (a key out of scope, a lost race): mapped by the filter. */
export class ApplicationError extends Error {
  constructor(readonly code: ProblemCode, readonly detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'ApplicationError';
  }
}
