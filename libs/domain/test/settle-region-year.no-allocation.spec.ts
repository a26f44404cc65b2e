import { chengduPassDown, given, seedPreAllocation, settleRegionYear } from './support/fund-spec';

describe('SettleRegionYear: a region-year with no pre-allocation', () => {
  it('is refused as no-allocation for a region the fund never reached', () => {
    given(seedPreAllocation())
      .when(settleRegionYear('510500', [[1, '10000']]))
      .thenRefuses({
        code: 'no-allocation',
        regionCode: '510500',
        detail: '510500 received no pre-allocation in sc-pension-contribution-subsidy 2024: there is nothing to settle',
      });
  });

  it('is refused as no-allocation for a district funded only by a pass-down', () => {
    const passDown = chengduPassDown({ amountFen: '5000000' });
    given(seedPreAllocation(), passDown)
      .when(settleRegionYear('510104', [[500, '10000']]))
      .thenRefuses({ code: 'no-allocation', regionCode: '510104' });
  });
});
