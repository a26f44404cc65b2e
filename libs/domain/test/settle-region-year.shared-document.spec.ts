import { regionFigures } from '../src';
import { chengduSettled, given, seedPreAllocation, settleRegionYear, zigongSettled } from './support/fund-spec';

describe('SettleRegionYear: one settlement document for many regions', () => {
  it('settles a second region under the same document number', () => {
    const state = given(seedPreAllocation(), chengduSettled())
      .when(settleRegionYear('510300', [[14219, '10000']]))
      .then([zigongSettled()]);

    expect(regionFigures(state, '510100').settlement?.documentNo).toBe('川财社〔2025〕9号');
    expect(regionFigures(state, '510300').settlement?.documentNo).toBe('川财社〔2025〕9号');
  });
});
