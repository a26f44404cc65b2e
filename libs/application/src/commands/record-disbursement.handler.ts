import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { fenFromString, formatYuan, regionFigures, type RecordDisbursement } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';
import { disbursementLocator } from './disbursement-locator';

/** A payment: its locator names its fund for a later reversal; the answer is what the region has left. */
export const recordDisbursement: FundCommandDescriptor<RecordDisbursement> = {
  type: 'RecordDisbursement',
  refusalRegion: (input) => input.regionCode,
  companions: [disbursementLocator],
  answer: (input, _events, before) => ({
    disbursementId: input.disbursementId,
    available: formatYuan(regionFigures(before, input.regionCode).availableFen - fenFromString(input.amountFen)),
  }),
};

export class RecordDisbursementCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordDisbursement['data']) {
    super();
  }
}

@CommandHandler(RecordDisbursementCommand)
export class RecordDisbursementHandler implements ICommandHandler<RecordDisbursementCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: RecordDisbursementCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, recordDisbursement, input);
  }
}
