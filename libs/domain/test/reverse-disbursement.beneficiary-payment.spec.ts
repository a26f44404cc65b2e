import { findDisbursement, regionFigures } from '../src';
import {
  disbursementRecorded,
  disbursementReversed,
  given,
  reverseDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

describe('ReverseDisbursement: a payment on behalf of beneficiaries', () => {
  it('gives the money back to the region and takes the people off the count', () => {
    const payment = disbursementRecorded({
      disbursementId: 'd-1',
      regionCode: '510100',
      amountFen: '100000000',
      voucherNo: 'CD-2024-0001',
      beneficiaries: 10000,
    });

    const state = given(seedPreAllocation(), payment)
      .when(reverseDisbursement('d-1'))
      .then([
        disbursementReversed('d-1', {
          regionCode: '510100',
          kind: 'beneficiary-payment',
          amountFen: '100000000',
          voucherNo: 'CD-2024-0001',
          beneficiaries: 10000,
        }),
      ]);

    expect(regionFigures(state, '510100')).toMatchObject({ paidFen: 0n, beneficiaries: 0, availableFen: 255660000n });
    expect(findDisbursement(state, 'd-1')).toEqual({
      regionCode: '510100',
      kind: 'beneficiary-payment',
      amountFen: 100000000n,
      reversed: true,
    });
  });
});
