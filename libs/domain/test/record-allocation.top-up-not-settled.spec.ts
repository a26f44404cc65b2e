import { given, lines, seedPreAllocation, topUp, zigongSettled } from './support/fund-spec';

describe('RecordAllocation: a top-up line for a region-year not yet settled', () => {
  it('is refused as not-settled', () => {
    given(seedPreAllocation())
      .when(topUp(lines(['510100', '4340000'])))
      .thenRefuses({
        code: 'not-settled',
        regionCode: '510100',
        detail: '510100 2024 is not settled: a top-up follows a settlement',
      });
  });

  it('names the unsettled line when another line is settled', () => {
    given(seedPreAllocation(), zigongSettled())
      .when(topUp(lines(['510300', '1'], ['510400', '1'])))
      .thenRefuses({ code: 'not-settled', regionCode: '510400' });
  });
});
