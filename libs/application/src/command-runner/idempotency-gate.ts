import { IdempotencyKeyTakenError, type EventStore, type IdempotencyRecord, type JsonObject } from '@earmark/event-store';
import type { RuleErrorCode } from '@earmark/domain';
import { ApplicationError } from '../problem';
import { canonicalOrder, recorded, refused, type CommandContext, type CommandOutcome } from './command-outcome';

/**
 * The store keeps a number with each answer. The application writes 201 for a recorded command
 * and 422 for a refused one; a refusal's answer is told by the code in its body, so records
 * written before (a forbidden refusal kept as 403) read the same.
 */
export const storedRecordedStatus = 201;
export const storedRefusedStatus = 422;

/** The record that keeps an outcome with its key, in the same append as its events. */
export function idempotencyRecordOf(ctx: CommandContext, outcome: CommandOutcome): IdempotencyRecord | undefined {
  if (!ctx.idempotency) return undefined;
  const { key, requestHash } = ctx.idempotency;
  return outcome.kind === 'recorded'
    ? { scope: ctx.actor.name, key, requestHash, status: storedRecordedStatus, body: outcome.body }
    : { scope: ctx.actor.name, key, requestHash, status: storedRefusedStatus, body: { code: outcome.code, detail: outcome.detail } };
}

/**
 * One answer per idempotency key: a key already answered gets the stored answer, a key still
 * being answered in this process waits for that answer, a key used with another request is
 * refused (409 idempotency-key-reused), and only a new key reaches the command.
 */
export class IdempotencyGate {
  /**
   * Requests under way, by idempotency key: a retry that arrives while the first is still being
   * decided or committed waits for its answer instead of deciding again (it would otherwise see
   * its own voucher as already used).
   */
  private readonly inFlight = new Map<string, { requestHash: string; outcome: Promise<CommandOutcome> }>();

  constructor(private readonly store: EventStore) {}

  async pass(ctx: CommandContext, answer: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
    if (!ctx.idempotency) return answer();
    const flightKey = `${ctx.actor.name}\n${ctx.idempotency.key}`;
    const underway = this.inFlight.get(flightKey);
    if (underway) {
      if (underway.requestHash !== ctx.idempotency.requestHash) throw keyReused();
      return underway.outcome;
    }
    const outcome = this.replayOr(ctx, answer);
    this.inFlight.set(flightKey, { requestHash: ctx.idempotency.requestHash, outcome });
    try {
      return await outcome;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  /** The stored answer to a repeated key, or null when the key is new. */
  async replay(ctx: CommandContext): Promise<CommandOutcome | null> {
    if (!ctx.idempotency) return null;
    const stored = await this.store.findIdempotency(ctx.actor.name, ctx.idempotency.key);
    if (!stored) return null;
    if (stored.requestHash !== ctx.idempotency.requestHash) throw keyReused();
    const body = canonicalOrder(stored.body as JsonObject);
    if (stored.status < 300) return recorded({ ...body, position: Number(stored.position) });
    return refused(body['code'] as RuleErrorCode, String(body['detail']));
  }

  /**
   * Another process (or an earlier attempt whose answer was lost) appended with this key first:
   * its answer is the answer.
   */
  async afterKeyTaken(ctx: CommandContext): Promise<CommandOutcome> {
    const replayed = await this.replay(ctx);
    if (!replayed) throw new Error('idempotency key reported taken but not found');
    return replayed;
  }

  /** Runs `append` and answers a lost race for the key with the winner's answer. */
  async settle(ctx: CommandContext, append: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
    try {
      return await append();
    } catch (error) {
      if (error instanceof IdempotencyKeyTakenError) return this.afterKeyTaken(ctx);
      throw error;
    }
  }

  private async replayOr(ctx: CommandContext, answer: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
    return (await this.replay(ctx)) ?? answer();
  }
}

function keyReused(): ApplicationError {
  return new ApplicationError('idempotency-key-reused', 'this Idempotency-Key was used with another request');
}
