import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReverseDisbursement } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, refused, type CommandContext, type CommandOutcome, type FundCommandDescriptor } from '../command-runner';
import { EVENT_STORE } from '../ports';
import { DisbursementLocator } from './disbursement-locator';

/** A reversal: the region it concerns is the disbursement's, which only the fund's state knows. */
export const reverseDisbursement: FundCommandDescriptor<ReverseDisbursement> = {
  type: 'ReverseDisbursement',
  refusalRegion: () => null,
  answer: (input) => ({ disbursementId: input.disbursementId }),
};

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
    return this.runner.run(ctx, reverseDisbursement, { ...input, ...fund });
  }
}
