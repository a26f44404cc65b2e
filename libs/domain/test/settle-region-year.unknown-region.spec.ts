import { given, seedPreAllocation, settleRegionYear } from './support/fund-spec';

describe('SettleRegionYear: a region the registry does not know', () => {
  it('is refused as unknown-region', () => {
    given(seedPreAllocation())
      .when(settleRegionYear('510199', [[1, '10000']]))
      .thenRefuses({ code: 'unknown-region', regionCode: '510199', detail: 'region 510199 is not in the registry' });
  });
});
