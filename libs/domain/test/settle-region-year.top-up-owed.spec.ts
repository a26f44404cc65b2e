import { regionFigures } from '../src';
import { chengduSettled, given, seedPreAllocation, settleChengdu } from './support/fund-spec';

describe('SettleRegionYear: actuals above the pre-allocation', () => {
  it('records entitled, allocated and a positive adjustment: a top-up owed', () => {
    const state = given(seedPreAllocation())
      .when(settleChengdu())
      .then([chengduSettled()]);

    expect(chengduSettled().data).toMatchObject({
      entitledFen: '260000000',
      allocatedFen: '255660000',
      adjustmentFen: '4340000',
    });
    expect(regionFigures(state, '510100')).toMatchObject({
      status: 'settled',
      availableFen: 255660000n,
      settlement: {
        documentNo: '川财社〔2025〕9号',
        settledOn: '2025-03-31',
        entitledFen: 260000000n,
        allocatedFen: 255660000n,
        adjustmentFen: 4340000n,
        outstandingFen: 4340000n,
      },
    });
  });
});
