import { documentStreamName, RuleError } from '@earmark/domain';
import type { FundCommandCompanion } from '../command-runner';

/**
 * A document number (an allocation notice, a 市's pass-down document) is recorded once across the
 * ledger, whichever fund it belongs to: the command appends a reservation to `document-<no>`
 * atomically with its fund's events, expecting that stream not to exist.
 */
export const documentReservation: FundCommandCompanion<{
  readonly documentNo: string;
  readonly programCode: string;
  readonly fiscalYear: number;
}> = {
  place: 'after-fund',
  // A store that cannot append both streams atomically may keep this command's own reservation
  // from an attempt that lost a race; that one is not a duplicate.
  check: async (document, store, commandId) => {
    const [existing] = await store.readStream(documentStreamName(document.documentNo), { maxCount: 1 });
    if (existing && existing.metadata['commandId'] !== commandId) {
      throw new RuleError('duplicate-document', `document ${document.documentNo} is already recorded`);
    }
  },
  stream: (document, ctx, eventId, commandId) => ({
    streamName: documentStreamName(document.documentNo),
    expectedVersion: 'no-stream',
    events: [
      {
        id: eventId(0),
        type: 'DocumentNumberReserved',
        data: { documentNo: document.documentNo, programCode: document.programCode, fiscalYear: document.fiscalYear },
        metadata: { commandId, actor: ctx.actor.name },
      },
    ],
  }),
};
