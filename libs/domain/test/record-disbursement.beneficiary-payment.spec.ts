import { findDisbursement, regionFigures } from '../src';
import { disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a payment on behalf of beneficiaries', () => {
  it('records the payment and counts the money paid and the people paid for', () => {
    const payment = {
      disbursementId: 'd-1',
      regionCode: '510100',
      amountFen: '100000000',
      voucherNo: 'CD-2024-0001',
      beneficiaries: 10000,
    };

    const state = given(seedPreAllocation())
      .when(recordDisbursement(payment))
      .then([disbursementRecorded({ ...payment, afterSettlement: false })]);

    expect(regionFigures(state, '510100')).toMatchObject({
      allocatedFen: 255660000n,
      paidFen: 100000000n,
      beneficiaries: 10000,
      availableFen: 155660000n,
      status: 'open',
    });
    expect(findDisbursement(state, 'd-1')).toEqual({
      regionCode: '510100',
      kind: 'beneficiary-payment',
      amountFen: 100000000n,
      reversed: false,
    });
  });
});
