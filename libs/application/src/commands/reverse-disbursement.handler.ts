import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReverseDisbursement } from '@earmark/domain';
import type { ReadModelStore } from '@earmark/event-store';
import { collections, type DisbursementDoc } from '@earmark/projections';
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

@CommandHandler(ReverseDisbursementCommand)
export class ReverseDisbursementHandler implements ICommandHandler<ReverseDisbursementCommand> {
  constructor(private readonly runner: FundCommandRunner, @Inject(READ_MODELS) private readonly readModels: ReadModelStore) {}

  async execute({ ctx, input }: ReverseDisbursementCommand): Promise<CommandOutcome> {
    const stored = await this.readModels.getDoc(collections.disbursement, input.disbursementId);
    if (!stored) throw new ApplicationError('not-found', `no disbursement ${input.disbursementId}`);
    const original = stored.doc as DisbursementDoc;
    this.runner.assertMayActFor(ctx, original.regionCode);
    const data = { ...input, programCode: original.programCode, fiscalYear: original.fiscalYear };
    return this.runner.run(ctx, {
      programCode: original.programCode,
      fiscalYear: original.fiscalYear,
      regionCode: original.regionCode,
      build: (metadata) => ({ type: 'ReverseDisbursement', data, metadata }),
      respond: () => ({ disbursementId: input.disbursementId }),
    });
  }
}
