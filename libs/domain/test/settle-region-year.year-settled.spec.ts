import { chengduSettled, given, seedPreAllocation, settleRegionYear } from './support/fund-spec';

describe('SettleRegionYear: a region-year already settled', () => {
  it('is refused as year-settled: a region-year settles once', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(settleRegionYear('510100', [[25566, '10000']]))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is already settled by 川财社〔2025〕9号',
      });
  });
});
