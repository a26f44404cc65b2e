import { regionFigures } from '../src';
import {
  chengduSettled,
  given,
  lines,
  seedPreAllocation,
  settleChengdu,
  topUp,
  topUpRecorded,
} from './support/fund-spec';

/** The worked example: 成都市 pre-allocated 2,556,600.00, entitled 2,600,000.00. */
describe('SettleRegionYear: 成都市 from pre-allocation to reconciled', () => {
  it('owes 43,400.00 after settlement', () => {
    const state = given(seedPreAllocation())
      .when(settleChengdu())
      .then([chengduSettled()]);

    expect(regionFigures(state, '510100').settlement?.adjustmentFen).toBe(4340000n);
    expect(regionFigures(state, '510100').status).toBe('settled');
  });

  it('is reconciled by a top-up line of 43,400.00', () => {
    const state = given(seedPreAllocation(), chengduSettled())
      .when(topUp(lines(['510100', '4340000'])))
      .then([topUpRecorded(lines(['510100', '4340000']))]);

    expect(regionFigures(state, '510100')).toMatchObject({
      allocatedFen: 260000000n,
      availableFen: 260000000n,
      status: 'reconciled',
      settlement: { adjustmentFen: 4340000n, outstandingFen: 0n },
    });
  });

  it('refuses a further top-up of 0.01', () => {
    given(seedPreAllocation(), chengduSettled(), topUpRecorded(lines(['510100', '4340000'])))
      .when(topUp(lines(['510100', '1']), '川财社〔2025〕31号'))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510100',
        detail: '510100 is owed a top-up of 0.00 元, the line gives 0.01 元',
      });
  });
});
