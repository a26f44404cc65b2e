import {
  disbursementRecorded,
  disbursementReversed,
  given,
  reverseDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

describe('ReverseDisbursement: a disbursement already reversed', () => {
  it('is refused as already-reversed', () => {
    given(
      seedPreAllocation(),
      disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000', voucherNo: 'CD-1' }),
      disbursementReversed('d-1', {
        regionCode: '510100',
        kind: 'beneficiary-payment',
        amountFen: '10000',
        voucherNo: 'CD-1',
        beneficiaries: 1,
      }),
    )
      .when(reverseDisbursement('d-1'))
      .thenRefuses({ code: 'already-reversed', regionCode: '510100', detail: 'disbursement d-1 is already reversed' });
  });
});
