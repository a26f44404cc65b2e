import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReverseDisbursement } from '@earmark/domain';
import type { LedgerReadModels } from '@earmark/event-store';
import { FundCommandRunner, type CommandContext, type CommandOutcome } from '../command-runner';
import { ApplicationError } from '../problem';
import { READ_MODELS } from '../ports';

export class ReverseDisbursementCommand extends Command<CommandOutcome> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: Pick<ReverseDisbursement['data'], 'disbursementId' | 'reason' | 'reversedOn'>,
  ) {
    super();
  }
}

/**
 * The request names a disbursement, not its fund. The read model answers only which fund's stream
 * to load (an immutable fact of the disbursement); whether it exists, whose region it is, and
 * every rule are then decided on the fund's own events.
 */
@CommandHandler(ReverseDisbursementCommand)
export class ReverseDisbursementHandler implements ICommandHandler<ReverseDisbursementCommand> {
  constructor(private readonly runner: FundCommandRunner, @Inject(READ_MODELS) private readonly readModels: LedgerReadModels) {}

  async execute({ ctx, input }: ReverseDisbursementCommand): Promise<CommandOutcome> {
    const fund = await this.fundOf(input.disbursementId);
    const data = { ...input, ...fund };
    return this.runner.run(ctx, {
      ...fund,
      regionCode: null,
      build: (metadata) => ({ type: 'ReverseDisbursement', data, metadata }),
      respond: () => ({ disbursementId: input.disbursementId }),
    });
  }

  private async fundOf(disbursementId: string): Promise<{ programCode: string; fiscalYear: number }> {
    const row = await this.readModels.disbursement(disbursementId);
    if (!row) throw new ApplicationError('not-found', `no disbursement ${disbursementId}`);
    return { programCode: row.programCode, fiscalYear: row.fiscalYear };
  }
}
