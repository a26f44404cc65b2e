import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { fenFromString, formatYuan, regionFigures, type RecordDisbursement } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';
import { disbursementLocator } from './disbursement-locator';

export class RecordDisbursementCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordDisbursement['data']) {
    super();
  }
}

@CommandHandler(RecordDisbursementCommand)
export class RecordDisbursementHandler implements ICommandHandler<RecordDisbursementCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  async execute({ ctx, input }: RecordDisbursementCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.regionCode,
      build: (metadata) => ({ type: 'RecordDisbursement', data: input, metadata }),
      ...disbursementLocator(ctx, input),
      respond: (_events, before) => ({
        disbursementId: input.disbursementId,
        available: formatYuan(regionFigures(before, input.regionCode).availableFen - fenFromString(input.amountFen)),
      }),
    });
  }
}
