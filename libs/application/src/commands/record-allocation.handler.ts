import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { documentStreamName, formatYuan, fenFromString, RuleError, type RecordAllocation } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';
import { EVENT_STORE } from '../ports';

export class RecordAllocationCommand extends Command<CommandOutcome> {
  constructor(readonly ctx: CommandContext, readonly input: RecordAllocation['data']) {
    super();
  }
}

@CommandHandler(RecordAllocationCommand)
export class RecordAllocationHandler implements ICommandHandler<RecordAllocationCommand> {
  constructor(private readonly runner: FundCommandRunner, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ ctx, input }: RecordAllocationCommand): Promise<CommandOutcome> {
    this.runner.assertMayActFor(ctx, input.issuerRegionCode);
    const reservation = documentStreamName(input.documentNo);
    return this.runner.run(ctx, {
      programCode: input.programCode,
      fiscalYear: input.fiscalYear,
      regionCode: input.issuerRegionCode,
      build: (metadata) => ({ type: 'RecordAllocation', data: input, metadata }),
      // A document number is recorded once across the ledger, whichever fund it belongs to. A
      // store that cannot append both streams atomically may keep this command's own reservation
      // from an attempt that lost a race; that one is not a duplicate.
      precheck: async (commandId) => {
        const [existing] = await this.store.readStream(reservation, { maxCount: 1 });
        if (existing && existing.metadata['commandId'] !== commandId) {
          throw new RuleError('duplicate-document', `document ${input.documentNo} is already recorded`);
        }
      },
      extraStreams: (_events, eventId, commandId) => [
        {
          streamName: reservation,
          expectedVersion: 'no-stream',
          events: [
            {
              id: eventId(0),
              type: 'DocumentNumberReserved',
              data: { documentNo: input.documentNo, programCode: input.programCode, fiscalYear: input.fiscalYear },
              metadata: { commandId, actor: ctx.actor.name },
            },
          ],
        },
      ],
      respond: () => ({
        documentNo: input.documentNo,
        lines: input.lines.length,
        total: formatYuan(fenFromString(input.totalFen)),
      }),
    });
  }
}
