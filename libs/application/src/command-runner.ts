import { Inject, Injectable } from '@nestjs/common';
import { conflictCodes, RuleError, type FundCommand, type RegionRegistry } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { refused, type CommandContext, type CommandOutcome } from './command-runner/command-outcome';
import { DecideAndAppend, type FundCommandSpec } from './command-runner/decide-and-append';
import { specOf, type FundCommandDescriptor } from './command-runner/fund-command-descriptor';
import { IdempotencyGate } from './command-runner/idempotency-gate';
import { RefusalLog } from './command-runner/refusal-log';
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

export * from './command-runner/command-outcome';
export { maxCommandAttempts } from './command-runner/bounded-retry';
export type { FundCommandCompanion, FundCommandDescriptor } from './command-runner/fund-command-descriptor';
export { storedRecordedStatus, storedRefusedStatus } from './command-runner/idempotency-gate';

/**
 * Runs a fund command in three steps, each in its own file: the idempotency gate answers a
 * repeated key, the decide-and-append loop records the events (retrying a lost race), and the
 * refusal log keeps a rule's refusal. Each kind of command is a `FundCommandDescriptor`, run on
 * its input. A duplicate document or voucher, or a disbursement that
 * does not exist, is refused without a log entry: nothing was attempted on a fund's money.
 */
@Injectable()
export class FundCommandRunner {
  private readonly gate: IdempotencyGate;
  private readonly decider: DecideAndAppend;
  private readonly refusals: RefusalLog;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LEDGER_SETTINGS) settings: LedgerSettings = defaultLedgerSettings,
  ) {
    this.gate = new IdempotencyGate(store);
    this.decider = new DecideAndAppend(store, registry, { latePaymentGraceDays: settings.latePaymentGraceDays });
    this.refusals = new RefusalLog(store);
  }

  run<C extends FundCommand>(ctx: CommandContext, descriptor: FundCommandDescriptor<C>, input: C['data']): Promise<CommandOutcome> {
    const spec = specOf(descriptor, input, this.store, ctx);
    return this.gate.pass(ctx, () => {
      const command = spec.build({
        actor: { name: ctx.actor.name, role: ctx.actor.role },
        now: this.clock.now().toISOString(),
        commandId: this.ids.newId(),
      });
      return this.gate.settle(ctx, () => this.decideOrRefuse(ctx, spec, command));
    });
  }

  private async decideOrRefuse(ctx: CommandContext, spec: FundCommandSpec, command: FundCommand): Promise<CommandOutcome> {
    try {
      return await this.decider.run(ctx, spec, command);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      if (error.code === 'not-found' || conflictCodes.has(error.code)) return refused(error.code, error.detail);
      return this.refusals.record(ctx, spec, command, error);
    }
  }
}
