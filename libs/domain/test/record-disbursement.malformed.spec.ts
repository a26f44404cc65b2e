import { disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

/** The edge checks shape and the application makes ids; a bad command reaching the domain is a bug. */
describe('RecordDisbursement: a command the edge should have stopped', () => {
  it('fails on an amount that is not positive', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', amountFen: '0' }))
      .thenFails(/d-1 is not positive/);
  });

  it('fails on a payment for no one', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', amountFen: '100', beneficiaries: 0 }))
      .thenFails(/at least one/);
  });

  it('fails on a pass-down with no destination', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', kind: 'pass-down', amountFen: '100' }))
      .thenFails(/names the region it goes to/);
  });

  it('fails on a disbursement id already taken', () => {
    given(seedPreAllocation(), disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '100' }))
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510300', amountFen: '100' }))
      .thenFails(/d-1 is already taken/);
  });
});
