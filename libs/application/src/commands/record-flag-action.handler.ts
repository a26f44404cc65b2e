import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideFlagAction,
  flagHandlingStreamName,
  RuleError,
  type FlagAction,
  type RecordFlagAction,
  type RegionRegistry,
} from '@earmark/domain';
import type { EventStore, JsonObject, LedgerReadModels } from '@earmark/event-store';
import type { FlagThresholds } from '@earmark/projections';
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
   * without the program-year, every one the ledger knows is searched and the id must name one flag.
   */
  private async find(input: RecordFlagActionCommand['input'], thresholds: FlagThresholds): Promise<FoundFlag> {
    const today = todayInChina(this.clock);
    const funds = input.fund ? [input.fund] : (await this.readModels.listProgramYears()).map(({ programCode, fiscalYear }) => ({ programCode, fiscalYear }));
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
}
