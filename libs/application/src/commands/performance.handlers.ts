import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RecordPerformanceTargets, ReportPerformanceActual } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';

/** A region's Annex 2 target table. */
export const recordPerformanceTargets: FundCommandDescriptor<RecordPerformanceTargets> = {
  type: 'RecordPerformanceTargets',
  refusalRegion: (input) => input.regionCode,
  answer: (input) => ({ regionCode: input.regionCode, targets: input.targets.length }),
};

/** One indicator's actual value, as a region reports it. */
export const reportPerformanceActual: FundCommandDescriptor<ReportPerformanceActual> = {
  type: 'ReportPerformanceActual',
  refusalRegion: (input) => input.regionCode,
  answer: (input) => ({ regionCode: input.regionCode, indicator: input.indicator }),
};

export class RecordPerformanceTargetsCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordPerformanceTargets['data']) {
    super();
  }
}

@CommandHandler(RecordPerformanceTargetsCommand)
export class RecordPerformanceTargetsHandler implements ICommandHandler<RecordPerformanceTargetsCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: RecordPerformanceTargetsCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, recordPerformanceTargets, input);
  }
}

export class ReportPerformanceActualCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: ReportPerformanceActual['data']) {
    super();
  }
}

@CommandHandler(ReportPerformanceActualCommand)
export class ReportPerformanceActualHandler implements ICommandHandler<ReportPerformanceActualCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: ReportPerformanceActualCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, reportPerformanceActual, input);
  }
}
