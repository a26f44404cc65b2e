import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { fenFromString, formatYuan, regionFigures, type RecordPassDown } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';
import { EVENT_STORE } from '../ports';
import { documentReservation } from './document-reservation';

export class RecordPassDownCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordPassDown['data']) {
    super();
  }
}

/** A 市's 下达 document: the city's debit and every district's credit in one event. */
@CommandHandler(RecordPassDownCommand)
export class RecordPassDownHandler implements ICommandHandler<RecordPassDownCommand> {
  constructor(private readonly runner: FundCommandRunner, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ ctx, input }: RecordPassDownCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.regionCode,
      build: (metadata) => ({ type: 'RecordPassDown', data: input, metadata }),
      ...documentReservation(this.store, ctx, input),
      respond: (_events, before) => ({
        documentNo: input.documentNo,
        lines: input.lines.length,
        total: formatYuan(fenFromString(input.totalFen)),
        available: formatYuan(regionFigures(before, input.regionCode).availableFen - fenFromString(input.totalFen)),
      }),
    });
  }
}
