import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReverseDisbursement } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, refused, type CommandContext, type CommandOutcome } from '../command-runner';
import { EVENT_STORE } from '../ports';
import { DisbursementLocator } from './disbursement-locator';

export class ReverseDisbursementCommand extends Command<CommandOutcome> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: Pick<ReverseDisbursement['data'], 'disbursementId' | 'reason' | 'reversedOn'>,
  ) {
    super();
  }
}

/**
 * The request names a disbursement, not its fund. The write side's locator answers only which
 * fund's stream to load (an immutable fact of the disbursement); whether it exists, whose region
 * it is, and every rule are then decided on the fund's own events.
 */
@CommandHandler(ReverseDisbursementCommand)
export class ReverseDisbursementHandler implements ICommandHandler<ReverseDisbursementCommand> {
  private readonly locator: DisbursementLocator;

  constructor(private readonly runner: FundCommandRunner, @Inject(EVENT_STORE) store: EventStore) {
    this.locator = new DisbursementLocator(store);
  }

  async execute({ ctx, input }: ReverseDisbursementCommand): Promise<CommandOutcome> {
    const fund = await this.locator.fundOf(input.disbursementId);
    if (!fund) return refused('not-found', `no disbursement ${input.disbursementId}`);
    const data = { ...input, ...fund };
    return this.runner.run(ctx, {
      ...fund,
      regionCode: null,
      build: (metadata) => ({ type: 'ReverseDisbursement', data, metadata }),
      respond: () => ({ disbursementId: input.disbursementId }),
    });
  }
}
