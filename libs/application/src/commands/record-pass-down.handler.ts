import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { fenFromString, formatYuan, regionFigures, type RecordPassDown } from '@earmark/domain';
import { FundCommandRunner, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';
import { documentReservation } from './document-reservation';

/** A 市's 下达 document: the city's debit and every district's credit in one event. */
export const recordPassDown: FundCommandDescriptor<RecordPassDown> = {
  type: 'RecordPassDown',
  refusalRegion: (input) => input.regionCode,
  companions: [documentReservation],
  answer: (input, _events, before) => ({
    documentNo: input.documentNo,
    lines: input.lines.length,
    total: formatYuan(fenFromString(input.totalFen)),
    available: formatYuan(regionFigures(before, input.regionCode).availableFen - fenFromString(input.totalFen)),
  }),
};

export class RecordPassDownCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordPassDown['data']) {
    super();
  }
}

@CommandHandler(RecordPassDownCommand)
export class RecordPassDownHandler implements ICommandHandler<RecordPassDownCommand> {
  constructor(private readonly runner: FundCommandRunner) {}

  execute({ ctx, input }: RecordPassDownCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, recordPassDown, input);
  }
}
