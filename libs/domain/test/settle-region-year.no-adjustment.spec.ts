import { regionFigures } from '../src';
import { given, seedPreAllocation, settleRegionYear, zigongSettled } from './support/fund-spec';

describe('SettleRegionYear: actuals equal to the pre-allocation', () => {
  it('is reconciled at once', () => {
    const state = given(seedPreAllocation())
      .when(settleRegionYear('510300', [[14219, '10000']]))
      .then([zigongSettled()]);

    expect(regionFigures(state, '510300')).toMatchObject({
      status: 'reconciled',
      settlement: { adjustmentFen: 0n, outstandingFen: 0n },
    });
  });
});
