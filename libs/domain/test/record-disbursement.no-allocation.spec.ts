import { given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a region the fund never reached', () => {
  it('is refused as no-allocation for a region with no allocation line', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510500', amountFen: '10000' }))
      .thenRefuses({
        code: 'no-allocation',
        regionCode: '510500',
        detail: '510500 has received no money in sc-pension-contribution-subsidy 2024',
      });
  });

  it('is refused as no-allocation for a district its city has passed nothing to', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510104', amountFen: '10000' }))
      .thenRefuses({ code: 'no-allocation', regionCode: '510104' });
  });
});
