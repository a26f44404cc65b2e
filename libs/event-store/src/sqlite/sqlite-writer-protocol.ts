import Database from 'better-sqlite3';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  type ExpectedVersion,
  type ProjectionOrigin,
} from '../event-store.port';
import type { BatchEntry, Outcome } from './sqlite-writer';

/**
 * The messages between the SQLite store and its writer thread. Values cross by structured clone
 * (bigints included); errors do not keep their class that way, so they cross as a description
 * and are made again, with the same class, fields and message, on the other side.
 */
export interface WriterThreadData {
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly projections: readonly { readonly name: string; readonly origin: ProjectionOrigin }[];
  /** Set when the store runs from TypeScript sources: the worker file is then a loader for this one. */
  readonly sourceEntry?: string;
}

export type ToWriter = { readonly type: 'batch'; readonly id: number; readonly entries: readonly BatchEntry[] } | { readonly type: 'close' };

export type FromWriter =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: WireError }
  | { readonly type: 'done'; readonly id: number; readonly outcomes: readonly WireOutcome[] };

export type WireOutcome = { readonly ok: true; readonly result: Extract<Outcome, { ok: true }>['result'] } | { readonly ok: false; readonly error: WireError };

export type WireError =
  | { readonly kind: 'concurrency'; readonly streamName: string; readonly expected: ExpectedVersion; readonly actual: bigint | null; readonly stack?: string }
  | { readonly kind: 'idempotency-key-taken'; readonly scope: string; readonly key: string; readonly stack?: string }
  | { readonly kind: 'unavailable'; readonly message: string; readonly cause?: WireError; readonly stack?: string }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly code?: string; readonly stack?: string };

export function encodeError(error: unknown): WireError {
  if (error instanceof ConcurrencyError) {
    return { kind: 'concurrency', streamName: error.streamName, expected: error.expected, actual: error.actual, stack: error.stack };
  }
  if (error instanceof IdempotencyKeyTakenError) return { kind: 'idempotency-key-taken', scope: error.scope, key: error.key, stack: error.stack };
  if (error instanceof EventStoreUnavailableError) {
    return { kind: 'unavailable', message: error.message, cause: error.cause === undefined ? undefined : encodeError(error.cause), stack: error.stack };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'error', name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, stack: error.stack };
  }
  return { kind: 'error', name: 'Error', message: String(error) };
}

/** The standard classes a store error may be; anything else arrives as an Error with its name. */
const errorClasses: Record<string, new (message: string) => Error> = { RangeError, TypeError, SyntaxError };

export function decodeError(wire: WireError): Error {
  const error = ((): Error => {
    switch (wire.kind) {
      case 'concurrency':
        return new ConcurrencyError(wire.streamName, wire.expected, wire.actual);
      case 'idempotency-key-taken':
        return new IdempotencyKeyTakenError(wire.scope, wire.key);
      case 'unavailable':
        return new EventStoreUnavailableError(wire.message, wire.cause === undefined ? undefined : decodeError(wire.cause));
      case 'error': {
        if (wire.name === 'SqliteError' && wire.code !== undefined) return new Database.SqliteError(wire.message, wire.code);
        const made = new (errorClasses[wire.name] ?? Error)(wire.message);
        if (made.name !== wire.name) made.name = wire.name;
        if (wire.code !== undefined) Object.assign(made, { code: wire.code });
        return made;
      }
      default:
        return assertNever(wire);
    }
  })();
  // Where it was thrown, in the writer thread.
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

export function encodeOutcome(outcome: Outcome): WireOutcome {
  return outcome.ok ? outcome : { ok: false, error: encodeError(outcome.error) };
}

export function decodeOutcome(outcome: WireOutcome): Outcome {
  return outcome.ok ? outcome : { ok: false, error: decodeError(outcome.error) };
}

function assertNever(value: never): never {
  throw new Error(`unexpected error description ${String((value as { kind?: unknown }).kind)}`);
}
