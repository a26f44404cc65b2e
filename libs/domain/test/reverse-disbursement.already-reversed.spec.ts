import { disbursementRecorded, given, reversalOf, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

describe('ReverseDisbursement: a disbursement already reversed', () => {
  it('is refused as already-reversed', () => {
    const payment = disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000', voucherNo: 'CD-1' });
    given(seedPreAllocation(), payment, reversalOf(payment))
      .when(reverseDisbursement('d-1'))
      .thenRefuses({ code: 'already-reversed', regionCode: '510100', detail: 'disbursement d-1 is already reversed' });
  });
});
