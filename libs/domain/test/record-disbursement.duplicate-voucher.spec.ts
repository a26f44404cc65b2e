import {
  disbursementRecorded,
  given,
  recordDisbursement,
  reversalOf,
  seedPreAllocation,
} from './support/fund-spec';

describe('RecordDisbursement: a voucher number the region has already used', () => {
  const voucherNo = 'CD-2024-0001';
  const first = disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000', voucherNo });

  it('is refused as duplicate-voucher', () => {
    given(seedPreAllocation(), first)
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510100', amountFen: '20000', voucherNo }))
      .thenRefuses({
        code: 'duplicate-voucher',
        regionCode: '510100',
        detail: 'voucher CD-2024-0001 is already recorded for 510100',
      });
  });

  it('stays refused after the first disbursement is reversed: a number is never recorded twice', () => {
    given(seedPreAllocation(), first, reversalOf(first))
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510100', amountFen: '10000', voucherNo }))
      .thenRefuses({ code: 'duplicate-voucher', regionCode: '510100' });
  });

  it('accepts the same number from another region: vouchers are unique per region', () => {
    const payment = { disbursementId: 'd-2', regionCode: '510300', amountFen: '10000', voucherNo };
    given(seedPreAllocation(), first)
      .when(recordDisbursement(payment))
      .then([disbursementRecorded(payment)]);
  });
});
