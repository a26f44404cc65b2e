import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideFlagAction,
  flagHandlingStreamName,
  parseFundStreamName,
  parseRefusalStreamName,
  requireFlagActor,
  RuleError,
  type FlagAction,
  type RecordFlagAction,
  type RegionRegistry,
} from '@earmark/domain';
import type { EventStore, JsonObject, LedgerReadModels } from '@earmark/event-store';
import { parseFlagId, type FlagThresholds } from '@earmark/projections';
import { canonicalOrder, recorded, type CommandContext, type CommandOutcome } from '../command-runner/command-outcome';
import { retryOrThrow } from '../command-runner/bounded-retry';
import { IdempotencyGate, idempotencyRecordOf } from '../command-runner/idempotency-gate';
import { commandEventId, toNewEvent } from '../command-runner/new-events';
import { ApplicationError } from '../problem';
import { CLOCK, EVENT_STORE, ID_GENERATOR, READ_MODELS, REGION_REGISTRY, type Clock, type IdGenerator } from '../ports';
import { todayInChina } from '../queries/audit-views.queries';
import { FundAuditViews, type HandledFlag } from '../queries/fund-audit-views';

export class RecordFlagActionCommand extends Command<CommandOutcome> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: {
      readonly flagId: string;
      readonly action: FlagAction;
      readonly note: string;
      /** The program-year the flag belongs to, when the caller names it; else every program-year is searched. */
      readonly fund?: { readonly programCode: string; readonly fiscalYear: number };
    },
    /** The thresholds today's flags are judged with: the ones the list shows. */
    readonly thresholds: FlagThresholds,
  ) {
    super();
  }
}

interface FoundFlag {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly flag: HandledFlag;
  readonly handlingVersion: bigint;
}

/**
 * A handling step on a flag: found in today's list (resolved flags included), decided by the
 * domain on its state, appended to the program-year's handling stream expecting the version the
 * state was read at, so that two steps on the same state cannot both pass (the loser decides
 * again on the newer state, with the fund commands' bounded retry). A refused step (403, 404, 422) records nothing. The idempotency key
 * is kept with the step, as for the fund's commands.
 */
@CommandHandler(RecordFlagActionCommand)
export class RecordFlagActionHandler implements ICommandHandler<RecordFlagActionCommand> {
  private readonly gate: IdempotencyGate;

  constructor(
    private readonly views: FundAuditViews,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: LedgerReadModels,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {
    this.gate = new IdempotencyGate(store);
  }

  execute({ ctx, input, thresholds }: RecordFlagActionCommand): Promise<CommandOutcome> {
    return this.gate.pass(ctx, () => this.gate.settle(ctx, () => this.decideAndAppend(ctx, input, thresholds)));
  }

  private async decideAndAppend(
    ctx: CommandContext,
    input: RecordFlagActionCommand['input'],
    thresholds: FlagThresholds,
  ): Promise<CommandOutcome> {
    const commandId = this.ids.newId();
    // The key's role and regions are checked against the region the id names before anything is
    // looked up: a key may not make the service fold funds for flags it could not act on, nor learn
    // from a 404 whether a flag of a region it does not cover exists.
    try {
      requireFlagActor(input.action, ctx.actor, ctx.actor.regions, parseFlagId(input.flagId)?.regionCode ?? '', this.registry);
    } catch (error) {
      if (error instanceof RuleError) throw new ApplicationError(error.code, error.detail);
      throw error;
    }
    for (let attempt = 1; ; attempt += 1) {
      const found = await this.find(input, thresholds);
      const { flag } = found;
      const command: RecordFlagAction = {
        type: 'RecordFlagAction',
        data: {
          flagId: flag.id,
          rule: flag.rule,
          regionCode: flag.regionCode,
          severity: flag.severity,
          detail: flag.detail,
          since: flag.since,
          threshold: flag.threshold,
          programCode: found.programCode,
          fiscalYear: found.fiscalYear,
          action: input.action,
          note: input.note,
          actorRegions: ctx.actor.regions,
        },
        metadata: { actor: { name: ctx.actor.name, role: ctx.actor.role }, now: this.clock.now().toISOString(), commandId },
      };
      let event;
      try {
        event = decideFlagAction(command, flag.state, this.registry);
      } catch (error) {
        if (error instanceof RuleError) throw new ApplicationError(error.code, error.detail);
        throw error;
      }
      const body: JsonObject = {
        fiscalYear: found.fiscalYear,
        id: flag.id,
        programCode: found.programCode,
        state: event.data.toState,
      };
      try {
        const appended = await this.store.append({
          streams: [
            {
              streamName: flagHandlingStreamName(found.programCode, found.fiscalYear),
              expectedVersion: found.handlingVersion < 0n ? 'no-stream' : found.handlingVersion,
              events: [toNewEvent(event, commandEventId(ctx, commandId, 0), ctx, commandId)],
            },
          ],
          idempotency: idempotencyRecordOf(ctx, recorded(body)),
        });
        return recorded({ ...canonicalOrder(body), position: Number(appended.lastPosition) });
      } catch (error) {
        retryOrThrow(error, attempt);
      }
    }
  }

  /**
   * The flag in today's list of its program-year. An id names a finding within one program-year;
   * without the program-year, those it can belong to are searched (`programYearsOf`) and the id
   * must name one flag.
   */
  private async find(input: RecordFlagActionCommand['input'], thresholds: FlagThresholds): Promise<FoundFlag> {
    const today = todayInChina(this.clock);
    const funds = input.fund ? [input.fund] : await this.programYearsOf(input.flagId);
    const found: FoundFlag[] = [];
    for (const fund of funds) {
      let match;
      try {
        match = await this.views.flagToHandle(fund.programCode, fund.fiscalYear, today, input.flagId, thresholds);
      } catch (error) {
        if (error instanceof ApplicationError && error.code === 'not-found') continue;
        throw error;
      }
      if (match) found.push({ ...fund, ...match });
    }
    if (found.length === 0) throw new ApplicationError('not-found', `no flag ${input.flagId}`);
    if (found.length > 1) {
      throw new ApplicationError(
        'validation-failed',
        `flag ${input.flagId} is found in ${found.map((f) => `${f.programCode} ${f.fiscalYear}`).join(', ')}: name programCode and fiscalYear`,
      );
    }
    return found[0];
  }

  /**
   * The program-years a flag id can belong to, found without judging every fund's flags (each
   * judgement folds the fund). An id whose subject is a log position (`payment-`, `lot-`, `event-`,
   * `refusal-`: docs/flags.md) belongs to the program-year of the event at that position, in its
   * fund's or its refusals' stream. Any other subject is about a region's account in the fund,
   * which has a balance row wherever the rules can judge it, so only the program-years where the
   * region holds one are searched; a performance finding is the exception, since targets may be
   * recorded for a region that holds no money, and is searched for in every program-year.
   */
  private async programYearsOf(flagId: string): Promise<{ programCode: string; fiscalYear: number }[]> {
    const parts = parseFlagId(flagId);
    if (parts === null) return [];
    if (parts.position !== null) {
      const [event] = await this.store.readAll({ afterPosition: parts.position - 1n, maxCount: 1 });
      if (!event || event.position !== parts.position) return [];
      const fund = parseFundStreamName(event.streamName) ?? parseRefusalStreamName(event.streamName);
      return fund ? [fund] : [];
    }
    const programYears = (await this.readModels.listProgramYears()).map(({ programCode, fiscalYear }) => ({ programCode, fiscalYear }));
    if (parts.rule.startsWith('performance-') || parts.regionCode === '') return programYears;
    const held = await Promise.all(programYears.map((fund) => this.readModels.regionBalance(fund.programCode, fund.fiscalYear, parts.regionCode)));
    return programYears.filter((_, index) => held[index] !== null);
  }
}
