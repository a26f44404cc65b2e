import { fundStreamName, type RecordDisbursement } from '@earmark/domain';
import type { SqliteEventStore } from '@earmark/event-store/sqlite';
import type { FundCommandDescriptor } from '../src/command-runner';
import { disbursementStreamName } from '../src/commands/disbursement-locator';
import { finance, fiscalYear, freshStoreEachTest, payment, programCode, runnerOver } from './support/ledger-over-sqlite';

/**
 * A reversal finds the disbursement's fund on the write side. The store here runs no
 * projections at all: a handler that asked a read model would find nothing.
 */
/** Recorded as the handler did before locators existed: the fund's events only, no locator stream. */
const paymentWithoutLocator: FundCommandDescriptor<RecordDisbursement> = {
  type: 'RecordDisbursement',
  refusalRegion: (input) => input.regionCode,
  answer: () => ({}),
};
const payAsBeforeLocators = (ledger: ReturnType<typeof runnerOver>, id: string) =>
  ledger.runner.run({ actor: finance }, paymentWithoutLocator, payment(id, '100000'));

describe('reversing a disbursement by its id alone', () => {
  let store: SqliteEventStore;
  freshStoreEachTest((opened) => (store = opened));

  it('a payment just recorded reverses at once: its locator was appended just before it', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    expect(await ledger.pay('d1', '100000')).toEqual({ kind: 'recorded', body: { available: '9000.00', disbursementId: 'd1', position: 4 } });
    expect((await store.readStream(disbursementStreamName('d1'))).map((event) => [event.type, event.data, event.position])).toEqual([
      ['DisbursementLocated', { disbursementId: 'd1', programCode, fiscalYear }, 3n],
    ]);
    expect(await ledger.reverse('d1')).toEqual({ kind: 'recorded', body: { disbursementId: 'd1', position: 5 } });
  });

  it('a disbursement recorded before locators existed is found in the log', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    await payAsBeforeLocators(ledger, 'old-1');
    expect(await store.readStream(disbursementStreamName('old-1'))).toEqual([]);
    expect(await runnerOver(store, 'b').reverse('old-1')).toEqual({ kind: 'recorded', body: { disbursementId: 'old-1', position: 4 } });
    const types = (await store.readStream(fundStreamName(programCode, fiscalYear))).map((event) => event.type);
    expect(types).toEqual(['AllocationRecorded', 'DisbursementRecorded', 'DisbursementReversed']);
  });

  it('the log is searched only up to its first locator: earlier disbursements are found, later ones have their own', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    await payAsBeforeLocators(ledger, 'old-1');
    await ledger.pay('d1', '100000');
    const reverser = runnerOver(store, 'b');
    expect(await reverser.reverse('nobody')).toEqual({ kind: 'refused', code: 'not-found', detail: 'no disbursement nobody' });
    expect(await reverser.reverse('old-1')).toEqual({ kind: 'recorded', body: { disbursementId: 'old-1', position: 6 } });
    expect(await reverser.reverse('d1')).toEqual({ kind: 'recorded', body: { disbursementId: 'd1', position: 7 } });
  });

  it('an id no disbursement has is refused as not-found, also after the log was searched once', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    expect(await ledger.reverse('nobody')).toEqual({ kind: 'refused', code: 'not-found', detail: 'no disbursement nobody' });
    await ledger.pay('d1', '100000');
    expect(await ledger.reverse('nobody-else')).toEqual({ kind: 'refused', code: 'not-found', detail: 'no disbursement nobody-else' });
    expect(await ledger.reverse('d1')).toMatchObject({ kind: 'recorded' });
  });
});
