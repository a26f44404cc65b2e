import {
  chengduSettled,
  given,
  lines,
  panzhihuaSettled,
  seedPreAllocation,
  topUp,
  topUpRecorded,
  zigongSettled,
} from './support/fund-spec';

describe('RecordAllocation: a top-up line above the outstanding top-up', () => {
  it('is refused as adjustment-exceeded when it passes what the settlement owes', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(topUp(lines(['510100', '4340001'])))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510100',
        detail: '510100 is owed a top-up of 43400.00 元, the line gives 43400.01 元',
      });
  });

  it('weighs a top-up against what earlier top-ups left owing', () => {
    given(seedPreAllocation(), chengduSettled(), topUpRecorded(lines(['510100', '4000000'])))
      .when(topUp(lines(['510100', '340001']), '川财社〔2025〕31号'))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510100',
        detail: '510100 is owed a top-up of 3400.00 元, the line gives 3400.01 元',
      });
  });

  it('refuses any top-up to a region that owes a claw-back', () => {
    given(seedPreAllocation(), panzhihuaSettled())
      .when(topUp(lines(['510400', '1'])))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510400',
        detail: '510400 is owed a top-up of 0.00 元, the line gives 0.01 元',
      });
  });

  it('refuses any top-up to a region settled with no adjustment', () => {
    given(seedPreAllocation(), zigongSettled())
      .when(topUp(lines(['510300', '1'])))
      .thenRefuses({ code: 'adjustment-exceeded', regionCode: '510300' });
  });
});
