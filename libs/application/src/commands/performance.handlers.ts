import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RecordPerformanceTargets, ReportPerformanceActual } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';

export class RecordPerformanceTargetsCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordPerformanceTargets['data']) {
    super();
  }
}

@CommandHandler(RecordPerformanceTargetsCommand)
export class RecordPerformanceTargetsHandler implements ICommandHandler<RecordPerformanceTargetsCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  async execute({ ctx, input }: RecordPerformanceTargetsCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.regionCode,
      build: (metadata) => ({ type: 'RecordPerformanceTargets', data: input, metadata }),
      respond: () => ({ regionCode: input.regionCode, targets: input.targets.length }),
    });
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

  async execute({ ctx, input }: ReportPerformanceActualCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.regionCode,
      build: (metadata) => ({ type: 'ReportPerformanceActual', data: input, metadata }),
      respond: () => ({ regionCode: input.regionCode, indicator: input.indicator }),
    });
  }
}
