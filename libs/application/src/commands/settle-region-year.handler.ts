import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { fenFromString, formatYuan, type RegionYearSettled, type SettleRegionYear } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';

/** A region's 清算 for the year: the answer is the settlement's figures, as decided. */
export const settleRegionYear: FundCommandDescriptor<SettleRegionYear> = {
  type: 'SettleRegionYear',
  refusalRegion: (input) => input.regionCode,
  answer: (input, events) => {
    const settled = events.find((e): e is RegionYearSettled => e.type === 'RegionYearSettled');
    if (!settled) throw new Error('settlement decided without a RegionYearSettled event');
    const yuan = (fen: string) => formatYuan(fenFromString(fen));
    return {
      regionCode: input.regionCode,
      entitled: yuan(settled.data.entitledFen),
      preAllocated: yuan(settled.data.preAllocatedFen),
      returnedBefore: yuan(settled.data.returnedBeforeFen),
      allocated: yuan(settled.data.allocatedFen),
      adjustment: yuan(settled.data.adjustmentFen),
    };
  },
};

export class SettleRegionYearCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: SettleRegionYear['data']) {
    super();
  }
}

@CommandHandler(SettleRegionYearCommand)
export class SettleRegionYearHandler implements ICommandHandler<SettleRegionYearCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: SettleRegionYearCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, settleRegionYear, input);
  }
}
