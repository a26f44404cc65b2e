import { documentStreamName, RuleError } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import type { CommandContext, FundCommandSpec } from '../command-runner';

/**
 * A document number (an allocation notice, a 市's pass-down document) is recorded once across the
 * ledger, whichever fund it belongs to: the command appends a reservation to `document-<no>`
 * atomically with its fund's events, expecting that stream not to exist.
 */
export function documentReservation(
  store: EventStore,
  ctx: CommandContext,
  document: { readonly documentNo: string; readonly programCode: string; readonly fiscalYear: number },
): Pick<FundCommandSpec, 'precheck' | 'extraStreams'> {
  const reservation = documentStreamName(document.documentNo);
  return {
    // A store that cannot append both streams atomically may keep this command's own reservation
    // from an attempt that lost a race; that one is not a duplicate.
    precheck: async (commandId) => {
      const [existing] = await store.readStream(reservation, { maxCount: 1 });
      if (existing && existing.metadata['commandId'] !== commandId) {
        throw new RuleError('duplicate-document', `document ${document.documentNo} is already recorded`);
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
            data: { documentNo: document.documentNo, programCode: document.programCode, fiscalYear: document.fiscalYear },
            metadata: { commandId, actor: ctx.actor.name },
          },
        ],
      },
    ],
  };
}
