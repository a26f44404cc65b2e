import { regionFigures } from '../src';
import { given, panzhihuaSettled, seedPreAllocation, settleRegionYear } from './support/fund-spec';

describe('SettleRegionYear: actuals below the pre-allocation', () => {
  it('records a negative adjustment: a claw-back owed, outstanding until returned', () => {
    const state = given(seedPreAllocation())
      .when(settleRegionYear('510400', [[2000, '10000']]))
      .then([panzhihuaSettled()]);

    expect(panzhihuaSettled().data.adjustmentFen).toBe('-470000');
    expect(regionFigures(state, '510400')).toMatchObject({
      status: 'settled',
      settlement: {
        entitledFen: 20000000n,
        allocatedFen: 20470000n,
        adjustmentFen: -470000n,
        outstandingFen: -470000n,
      },
    });
  });
});
