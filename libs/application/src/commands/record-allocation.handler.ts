import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatYuan, fenFromString, type RecordAllocation } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';
import { EVENT_STORE } from '../ports';
import { documentReservation } from './document-reservation';

export class RecordAllocationCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordAllocation['data']) {
    super();
  }
}

@CommandHandler(RecordAllocationCommand)
export class RecordAllocationHandler implements ICommandHandler<RecordAllocationCommand> {
  constructor(private readonly runner: FundCommandRunner, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ ctx, input }: RecordAllocationCommand): Promise<CommandOutcome> {
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.issuerRegionCode,
      build: (metadata) => ({ type: 'RecordAllocation', data: input, metadata }),
      ...documentReservation(this.store, ctx, input),
      respond: () => ({
        documentNo: input.documentNo,
        lines: input.lines.length,
        total: formatYuan(fenFromString(input.totalFen)),
      }),
    });
  }
}
