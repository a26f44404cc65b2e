import { regionFigures } from '../src';
import { disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: more than the region holds', () => {
  const earlierPayment = disbursementRecorded({
    disbursementId: 'd-1',
    regionCode: '510400',
    amountFen: '20346550',
    beneficiaries: 203465,
  });

  it('is refused as insufficient-funds, the detail giving the available balance', () => {
    given(seedPreAllocation(), earlierPayment)
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510400', amountFen: '123451' }))
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510400', detail: 'available 1234.50 元' });
  });

  it('applies to a pass-down and a return alike', () => {
    given(seedPreAllocation(), earlierPayment)
      .when(
        recordDisbursement({
          disbursementId: 'd-2',
          regionCode: '510400',
          kind: 'pass-down',
          toRegionCode: '510402',
          amountFen: '123451',
        }),
      )
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510400', detail: 'available 1234.50 元' });
    given(seedPreAllocation(), earlierPayment)
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510400', kind: 'return', amountFen: '123451' }))
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510400', detail: 'available 1234.50 元' });
  });

  it('accepts exactly what the region holds, leaving it at zero', () => {
    const lastPayment = { disbursementId: 'd-2', regionCode: '510400', amountFen: '123450' };
    const state = given(seedPreAllocation(), earlierPayment)
      .when(recordDisbursement(lastPayment))
      .then([disbursementRecorded(lastPayment)]);
    expect(regionFigures(state, '510400').availableFen).toBe(0n);
  });
});
