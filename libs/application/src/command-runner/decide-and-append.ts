import {
  commandScopeRefusal,
  decideFund,
  fundStreamName,
  regionsToCover,
  RuleError,
  type FundCommand,
  type FundEvent,
  type FundPolicy,
  type FundState,
  type RegionRegistry,
} from '@earmark/domain';
import type { AppendResult, EventStore, JsonObject, StreamAppend } from '@earmark/event-store';
import { FundSessions } from '../fund-sessions';
import { retryOrThrow } from './bounded-retry';
import { canonicalOrder, recorded, type CommandContext, type CommandOutcome } from './command-outcome';
import { idempotencyRecordOf } from './idempotency-gate';
import { commandEventId, toNewEvent } from './new-events';

/**
 * The loop's view of one command: the fund, the command, the streams appended with it, the
 * answer. Handlers declare a `FundCommandDescriptor`; `specOf` turns it into this.
 */
export interface FundCommandSpec {
  readonly programCode: string;
  readonly fiscalYear: number;
  /** The region a refusal concerns, for the audit log of refused attempts. */
  readonly regionCode: string | null;
  build(meta: FundCommand['metadata']): FundCommand;
  /** Checks outside the fund's stream (a document number used by another fund). */
  precheck?(commandId: string): Promise<void>;
  /** Streams appended atomically with the fund's, after its events (a document number's reservation). */
  extraStreams?(events: readonly FundEvent[], eventIds: (index: number) => string, commandId: string): StreamAppend[];
  /**
   * Streams appended atomically with the fund's, before its events (a disbursement's locator), so
   * that the answer's position is still the place of the fund's last event.
   */
  leadingStreams?(eventIds: (index: number) => string, commandId: string): StreamAppend[];
  /** The answer, without `position`, which the store assigns. */
  respond(events: readonly FundEvent[], stateBefore: FundState): JsonObject;
}

/**
 * Decides a command on its fund's state and appends the events, expecting the version the state
 * was read at; a lost race decides again on the newer state (`bounded-retry.ts`).
 * A rule's refusal leaves as the RuleError the domain threw, for the refusal log.
 */
export class DecideAndAppend {
  private readonly sessions: FundSessions;

  constructor(
    private readonly store: EventStore,
    private readonly registry: RegionRegistry,
    private readonly policy: FundPolicy,
  ) {
    this.sessions = new FundSessions(store);
  }

  async run(ctx: CommandContext, spec: FundCommandSpec, command: FundCommand): Promise<CommandOutcome> {
    const streamName = fundStreamName(spec.programCode, spec.fiscalYear);
    const commandId = command.metadata.commandId;
    const eventIds = (index: number) => commandEventId(ctx, commandId, index);
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
          const newEvents = events.map((event, index) => toNewEvent(event, eventIds(index), ctx, commandId));
          const append = this.store.append({
            streams: [
              // Negative indexes: these ids must differ from the fund's events' and the extra streams'.
              ...(spec.leadingStreams ? spec.leadingStreams((i) => eventIds(-1 - i), commandId) : []),
              { streamName, expectedVersion: version < 0n ? 'no-stream' : version, events: newEvents },
              ...(spec.extraStreams ? spec.extraStreams(events, (i) => eventIds(events.length + i), commandId) : []),
            ],
            idempotency: idempotencyRecordOf(ctx, recorded(body)),
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
        return recorded({ ...canonicalOrder(pending.body), position: Number(appended.lastPosition) });
      } catch (error) {
        retryOrThrow(error, attempt);
      }
    }
  }
}
