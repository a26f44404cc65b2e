import { chengduSettled, given, lines, recordAllocation, seedPreAllocation } from './support/fund-spec';

describe('RecordAllocation: a pre-allocation to a settled region-year', () => {
  it('is refused as year-settled: after settlement only a top-up may reach it', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(recordAllocation({ documentNo: '川财社〔2025〕3号', lines: lines(['510300', '10000'], ['510100', '4340000']) }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is settled: only a top-up may reach it now',
      });
  });
});
