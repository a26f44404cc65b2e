import type { Actor, RuleErrorCode } from '@earmark/domain';
import type { JsonObject } from '@earmark/event-store';

/** Who sends a command, what they may touch, and the idempotency key that came with it. */
export interface CommandContext {
  readonly actor: Actor & { readonly regions: readonly string[] };
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/**
 * What a command answers, with no transport in it: its events were recorded (the answer's body,
 * `position` included), or it was refused with a rule's code. The HTTP statuses are the API's.
 */
export type CommandOutcome =
  | { readonly kind: 'recorded'; readonly body: JsonObject }
  | { readonly kind: 'refused'; readonly code: RuleErrorCode; readonly detail: string };

export const recorded = (body: JsonObject): CommandOutcome => ({ kind: 'recorded', body });
export const refused = (code: RuleErrorCode, detail: string): CommandOutcome => ({ kind: 'refused', code, detail });

/**
 * Answers leave in one key order whatever the store did to them (PostgreSQL's JSONB reorders
 * keys), so that a replayed answer is byte for byte the first one.
 */
export function canonicalOrder(body: JsonObject): JsonObject {
  const sorted: JsonObject = {};
  for (const key of Object.keys(body).sort()) {
    const value = body[key];
    sorted[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? canonicalOrder(value) : value;
  }
  return sorted;
}
