import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  commandScopeRefusal,
  regionsToCover,
  conflictCodes,
  decideFund,
  fundStreamName,
  refusalStreamName,
  RuleError,
  type Actor,
  type CommandRefused,
  type FundCommand,
  type FundEvent,
  type FundPolicy,
  type FundState,
  type RegionRegistry,
} from '@earmark/domain';
import {
  ConcurrencyError,
  IdempotencyKeyTakenError,
  type AppendResult,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type StreamAppend,
} from '@earmark/event-store';
import { FundSessions } from './fund-sessions';
import { ApplicationError, problemBody, problemStatus } from './problem';
import {
  CLOCK,
  defaultLedgerSettings,
  EVENT_STORE,
  ID_GENERATOR,
  LEDGER_SETTINGS,
  REGION_REGISTRY,
  type Clock,
  type IdGenerator,
  type LedgerSettings,
} from './ports';

/** How many times a command is decided again after losing a race for its stream. */
export const maxCommandAttempts = 8;

/** Who sends a command, what they may touch, and the idempotency key that came with it. */
export interface CommandContext {
  readonly actor: Actor & { readonly regions: readonly string[] };
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/** What a command answers: stored whole with its idempotency key, so a retry gets the same. */
export interface CommandOutcome {
  readonly status: number;
  readonly body: JsonObject;
}

export interface FundCommandSpec {
  readonly programCode: string;
  readonly fiscalYear: number;
  /** The region a refusal concerns, for the audit log of refused attempts. */
  readonly regionCode: string | null;
  build(meta: FundCommand['metadata']): FundCommand;
  /** Checks outside the fund's stream (a document number used by another fund). */
  precheck?(commandId: string): Promise<void>;
  /** Streams appended atomically with the fund's (a document number's reservation). */
  extraStreams?(events: readonly FundEvent[], eventIds: (index: number) => string, commandId: string): StreamAppend[];
  /** The answer, without `position`, which the store assigns. */
  respond(events: readonly FundEvent[], stateBefore: FundState): JsonObject;
}

@Injectable()
export class FundCommandRunner {
  private readonly sessions: FundSessions;
  private readonly policy: FundPolicy;
  /**
   * Requests under way, by idempotency key: a retry that arrives while the first is still being
   * decided or committed waits for its answer instead of deciding again (it would otherwise see
   * its own voucher as already used).
   */
  private readonly inFlight = new Map<string, { requestHash: string; outcome: Promise<CommandOutcome> }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LEDGER_SETTINGS) settings: LedgerSettings = defaultLedgerSettings,
  ) {
    this.sessions = new FundSessions(store);
    this.policy = { latePaymentGraceDays: settings.latePaymentGraceDays };
  }

  /** The stored answer to a repeated key, or null when the key is new. */
  async replay(ctx: CommandContext): Promise<CommandOutcome | null> {
    if (!ctx.idempotency) return null;
    const stored = await this.store.findIdempotency(ctx.actor.name, ctx.idempotency.key);
    if (!stored) return null;
    if (stored.requestHash !== ctx.idempotency.requestHash) {
      throw new ApplicationError('idempotency-key-reused', 'this Idempotency-Key was used with another request');
    }
    const body = canonicalOrder(stored.body as JsonObject);
    return { status: stored.status, body: stored.status < 300 ? { ...body, position: Number(stored.position) } : body };
  }

  async run(ctx: CommandContext, spec: FundCommandSpec): Promise<CommandOutcome> {
    if (!ctx.idempotency) return this.runOnce(ctx, spec);
    const flightKey = `${ctx.actor.name}\n${ctx.idempotency.key}`;
    const underway = this.inFlight.get(flightKey);
    if (underway) {
      if (underway.requestHash !== ctx.idempotency.requestHash) {
        throw new ApplicationError('idempotency-key-reused', 'this Idempotency-Key was used with another request');
      }
      return underway.outcome;
    }
    const outcome = this.runOnce(ctx, spec);
    this.inFlight.set(flightKey, { requestHash: ctx.idempotency.requestHash, outcome });
    try {
      return await outcome;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  private async runOnce(ctx: CommandContext, spec: FundCommandSpec): Promise<CommandOutcome> {
    const replayed = await this.replay(ctx);
    if (replayed) return replayed;
    const streamName = fundStreamName(spec.programCode, spec.fiscalYear);
    const commandId = this.ids.newId();
    const meta: FundCommand['metadata'] = {
      actor: { name: ctx.actor.name, role: ctx.actor.role },
      now: this.clock.now().toISOString(),
      commandId,
    };
    const command = spec.build(meta);
    const eventIds = (index: number) => this.eventId(ctx, commandId, index);

    for (let attempt = 1; ; attempt += 1) {
      try {
        if (spec.precheck) await spec.precheck(commandId);
        const pending = await this.sessions.withFund(streamName, spec.programCode, spec.fiscalYear, async (state, version) => {
          // Scope follows the funding tree (the domain's rule); a key out of scope is refused and,
          // like a rule refusal, logged with who sent it.
          const outOfScope = commandScopeRefusal(ctx.actor, command, state, this.registry);
          if (outOfScope !== null) {
            const regionCode = spec.regionCode ?? regionsToCover(command, state, this.registry)[0] ?? null;
            throw new RuleError('forbidden', outOfScope, regionCode);
          }
          const events = decideFund(command, state, this.registry, this.policy);
          const body = spec.respond(events, state);
          const newEvents = events.map((event, index) => this.toNewEvent(event, eventIds(index), ctx, commandId));
          const append = this.store.append({
            streams: [
              { streamName, expectedVersion: version < 0n ? 'no-stream' : version, events: newEvents },
              ...(spec.extraStreams ? spec.extraStreams(events, (i) => eventIds(events.length + i), commandId) : []),
            ],
            idempotency: ctx.idempotency && { scope: ctx.actor.name, ...ctx.idempotency, status: 201, body },
          });
          // Handled below; an unobserved rejection here would crash the process meanwhile.
          append.catch(() => undefined);
          return { events, result: { append, body } };
        });
        let appended: AppendResult;
        try {
          appended = await pending.append;
        } catch (error) {
          this.sessions.invalidate(streamName);
          throw error;
        }
        return { status: 201, body: { ...canonicalOrder(pending.body), position: Number(appended.lastPosition) } };
      } catch (error) {
        if (error instanceof ConcurrencyError && attempt < maxCommandAttempts) continue;
        if (error instanceof ConcurrencyError) {
          throw new ApplicationError('concurrency-conflict', `stream ${error.streamName} kept changing; try again`);
        }
        if (error instanceof IdempotencyKeyTakenError) return this.afterKeyTaken(ctx);
        if (error instanceof RuleError) return this.refuse(ctx, spec, command, error);
        throw error;
      }
    }
  }

  /**
   * A refusal moves no money: its only trace is a CommandRefused event in the fund's refusal
   * stream, kept with the answer so that a retry gets the same 422.
   */
  private async refuse(ctx: CommandContext, spec: FundCommandSpec, command: FundCommand, error: RuleError): Promise<CommandOutcome> {
    if (error.code === 'not-found' || conflictCodes.has(error.code)) {
      throw new ApplicationError(error.code, error.detail);
    }
    const body = problemBody(error.code, error.detail) as unknown as JsonObject;
    const refused: CommandRefused = {
      type: 'CommandRefused',
      data: {
        commandType: command.type,
        code: error.code,
        detail: error.detail,
        programCode: spec.programCode,
        fiscalYear: spec.fiscalYear,
        regionCode: error.regionCode ?? spec.regionCode,
        actor: ctx.actor.name,
        attemptedOn: command.metadata.now,
        command: withoutPersonalData(command.data as unknown as Record<string, unknown>),
      },
    };
    try {
      await this.store.append({
        streams: [
          {
            streamName: refusalStreamName(spec.programCode, spec.fiscalYear),
            expectedVersion: 'any',
            events: [this.toNewEvent(refused, this.eventId(ctx, command.metadata.commandId, 0), ctx, command.metadata.commandId)],
          },
        ],
        idempotency: ctx.idempotency && { scope: ctx.actor.name, ...ctx.idempotency, status: problemStatus(error.code), body },
      });
    } catch (appendError) {
      if (appendError instanceof IdempotencyKeyTakenError) return this.afterKeyTaken(ctx);
      throw appendError;
    }
    return { status: problemStatus(error.code), body: canonicalOrder(body) };
  }

  private async afterKeyTaken(ctx: CommandContext): Promise<CommandOutcome> {
    const replayed = await this.replay(ctx);
    if (!replayed) throw new Error('idempotency key reported taken but not found');
    return replayed;
  }

  private toNewEvent(event: FundEvent | CommandRefused, id: string, ctx: CommandContext, commandId: string): NewEvent {
    return {
      id,
      type: event.type,
      data: event.data as unknown as JsonObject,
      metadata: {
        actor: ctx.actor.name,
        role: ctx.actor.role,
        commandId,
        ...(ctx.idempotency ? { idempotencyKey: ctx.idempotency.key } : {}),
      },
    };
  }

  /**
   * Event ids derive from the idempotency key, so that a command retried after a lost answer is
   * also recognised by stores that deduplicate by event id.
   */
  private eventId(ctx: CommandContext, commandId: string, index: number): string {
    const seed = ctx.idempotency ? `${ctx.actor.name}\n${ctx.idempotency.key}\n${index}` : `${commandId}\n${index}`;
    const hex = createHash('sha256').update(seed).digest('hex');
    // Shaped as a version 8 (custom) UUID.
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Fields that may carry personal data never enter the refusal log. */
const personalFields = new Set(['idNumber', 'idNumbers', 'roster', 'beneficiaryIds', 'name', 'names']);

function withoutPersonalData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !personalFields.has(key)));
}

/**
 * Answers leave in one key order whatever the store did to them (PostgreSQL's JSONB reorders
 * keys), so that a replayed answer is byte for byte the first one.
 */
function canonicalOrder(body: JsonObject): JsonObject {
  const sorted: JsonObject = {};
  for (const key of Object.keys(body).sort()) {
    const value = body[key];
    sorted[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? canonicalOrder(value) : value;
  }
  return sorted;
}
