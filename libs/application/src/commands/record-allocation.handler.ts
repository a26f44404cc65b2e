import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatYuan, fenFromString, type RecordAllocation } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';
import { documentReservation } from './document-reservation';

/** An allocation notice: its document number reserved across the ledger, its lines credited. */
export const recordAllocation: FundCommandDescriptor<RecordAllocation> = {
  type: 'RecordAllocation',
  refusalRegion: (input) => input.issuerRegionCode,
  companions: [documentReservation],
  answer: (input) => ({
    documentNo: input.documentNo,
    lines: input.lines.length,
    total: formatYuan(fenFromString(input.totalFen)),
  }),
};

export class RecordAllocationCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordAllocation['data']) {
    super();
  }
}

@CommandHandler(RecordAllocationCommand)
export class RecordAllocationHandler implements ICommandHandler<RecordAllocationCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: RecordAllocationCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, recordAllocation, input);
  }
}
