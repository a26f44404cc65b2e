import { canonicalOrder, type CommandOutcome, type ProblemCode } from '@earmark/application';
import type { JsonObject } from '@earmark/event-store';

/**
 * The one mapping from stable error codes to HTTP statuses and titles (API.md): for the exception
 * filter, and for a command's outcome (a refusal carries only its code).
 */
const problems: Record<ProblemCode, { status: number; title: string }> = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'idempotency-key-missing': { status: 400, title: 'Idempotency-Key header is required' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this key' },
  'not-found': { status: 404, title: 'Not found' },
  'duplicate-document': { status: 409, title: 'Document number already recorded' },
  'duplicate-voucher': { status: 409, title: 'Voucher number already recorded' },
  'idempotency-key-reused': { status: 409, title: 'Idempotency-Key reused with another request' },
  'concurrency-conflict': { status: 409, title: 'Concurrent change, try again' },
  'payload-too-large': { status: 413, title: 'Body larger than 1 MiB' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'unsupported-media-type': { status: 415, title: 'Body is not application/json' },
  'total-mismatch': { status: 422, title: 'Lines do not sum to the total' },
  'unknown-region': { status: 422, title: 'Unknown region' },
  'not-a-recipient': { status: 422, title: 'Region is not a direct recipient of the issuer' },
  'insufficient-funds': { status: 422, title: 'Insufficient funds' },
  'earmark-violation': { status: 422, title: 'Earmark violation' },
  'not-a-child-region': { status: 422, title: 'Not a child region' },
  'year-settled': { status: 422, title: 'Region-year already settled' },
  'not-settled': { status: 422, title: 'Region-year not settled' },
  'adjustment-exceeded': { status: 422, title: 'Exceeds the outstanding settlement adjustment' },
  'no-allocation': { status: 422, title: 'No allocation for the region-year' },
  'already-reversed': { status: 422, title: 'Disbursement already reversed' },
  'issuer-not-root': { status: 422, title: "Issuer is not the program's funding root" },
  'date-out-of-range': { status: 422, title: 'Date out of range' },
  'below-minimum-standard': { status: 422, title: "Per-person standard below the program's minimum" },
  'invalid-transition': { status: 422, title: 'Step out of order in the handling workflow' },
  'rate-limited': { status: 429, title: 'Too many requests, retry later' },
  'projection-lagging': { status: 503, title: 'Projections have not reached the requested position' },
  unavailable: { status: 503, title: 'Service unavailable' },
  'internal-error': { status: 500, title: 'Internal error' },
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: { path: string; message: string }[];
  [key: string]: unknown;
}

export function problemStatus(code: ProblemCode): number {
  return problems[code].status;
}

export function problemBody(code: ProblemCode, detail: string, errors?: { path: string; message: string }[]): ProblemBody {
  const { status, title } = problems[code];
  return { type: `https://earmark.dev/problems/${code}`, title, status, detail, code, ...(errors ? { errors } : {}) };
}

/** A command's answer: 201 with what was recorded, or the problem of its refusal, keys in one order. */
export function answerOf(outcome: CommandOutcome): { status: number; body: JsonObject } {
  if (outcome.kind === 'recorded') return { status: 201, body: outcome.body };
  return { status: problemStatus(outcome.code), body: canonicalOrder(problemBody(outcome.code, outcome.detail) as JsonObject) };
}
