import type { FundCommand, FundEvent, FundState } from '@earmark/domain';
import type { EventStore, JsonObject, StreamAppend } from '@earmark/event-store';
import type { CommandContext } from './command-outcome';
import type { FundCommandSpec } from './decide-and-append';

/**
 * A stream appended in the same append as a fund's events: a document number's reservation, a
 * disbursement's locator. Each companion names where it stands, the check it makes outside the
 * fund's stream before every attempt, and the stream it appends.
 */
export interface FundCommandCompanion<Input> {
  /**
   * Before the fund's events, the answer's position stays the place of the fund's last event; after
   * them, the companion's event ids follow the fund's.
   */
  readonly place: 'before-fund' | 'after-fund';
  readonly check?: (input: Input, store: EventStore, commandId: string) => Promise<void>;
  readonly stream: (input: Input, ctx: CommandContext, eventId: (index: number) => string, commandId: string) => StreamAppend;
}

/**
 * What one kind of fund command is, declared: the domain command it sends (every fund command's
 * data names its fund, `programCode` and `fiscalYear`, which is the stream it is decided on), the
 * region a refusal concerns, the streams that go with it, and its answer. Who sent it, when, and
 * the command's id are the runner's to add.
 */
export interface FundCommandDescriptor<C extends FundCommand> {
  readonly type: C['type'];
  /** The region a refusal concerns, for the log of refused attempts; null: the fund's state names it. */
  readonly refusalRegion: (input: C['data']) => string | null;
  readonly companions?: readonly FundCommandCompanion<C['data']>[];
  /** The answer, without `position`, which the store assigns: the input, the events decided, the state they were decided on. */
  readonly answer: (input: C['data'], events: readonly FundEvent[], stateBefore: FundState) => JsonObject;
}

/**
 * The decide-and-append loop's view of one command: the descriptor applied to its input. Companion
 * event ids are numbered from the fund's events outwards (before the fund: -1, -2, …; after it:
 * the number of the fund's events, and on), so that no two ids of one command meet.
 */
export function specOf<C extends FundCommand>(
  descriptor: FundCommandDescriptor<C>,
  input: C['data'],
  store: EventStore,
  ctx: CommandContext,
): FundCommandSpec {
  const companions = descriptor.companions ?? [];
  const checks = companions.flatMap((companion) => (companion.check ? [companion.check] : []));
  const before = companions.filter((companion) => companion.place === 'before-fund');
  const after = companions.filter((companion) => companion.place === 'after-fund');
  const streamsOf = (placed: readonly FundCommandCompanion<C['data']>[], eventId: (index: number) => string, commandId: string) => {
    let taken = 0;
    return placed.map((companion) => {
      const offset = taken;
      const stream = companion.stream(input, ctx, (index) => eventId(offset + index), commandId);
      taken += stream.events.length;
      return stream;
    });
  };
  return {
    programCode: input.programCode,
    fiscalYear: input.fiscalYear,
    regionCode: descriptor.refusalRegion(input),
    // Every fund command is `{ type, data, metadata }` with the data its type names.
    build: (metadata) => ({ type: descriptor.type, data: input, metadata }) as C,
    precheck:
      checks.length > 0
        ? async (commandId) => {
            for (const check of checks) await check(input, store, commandId);
          }
        : undefined,
    leadingStreams: before.length > 0 ? (eventId, commandId) => streamsOf(before, eventId, commandId) : undefined,
    extraStreams: after.length > 0 ? (_events, eventId, commandId) => streamsOf(after, eventId, commandId) : undefined,
    respond: (events, stateBefore) => descriptor.answer(input, events, stateBefore),
  };
}
