import { regionFigures } from '../src';
import { disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a return from a region the province pays directly', () => {
  it('goes back to the province from a city', () => {
    const giveBack = { disbursementId: 'd-1', regionCode: '510100', kind: 'return' as const, amountFen: '1000000' };
    const state = given(seedPreAllocation())
      .when(recordDisbursement(giveBack))
      .then([disbursementRecorded({ ...giveBack, toParentRegionCode: '510000' })]);

    expect(regionFigures(state, '510100')).toMatchObject({ returnedFen: 1000000n, availableFen: 254660000n });
    // The province is where the money came from; it keeps no balance in the fund.
    expect(regionFigures(state, '510000').returnedInFen).toBe(0n);
  });

  it('goes back to the province, not to its city, from a 扩权县 (荣县)', () => {
    const giveBack = { disbursementId: 'd-1', regionCode: '510321', kind: 'return' as const, amountFen: '1000000' };
    const state = given(seedPreAllocation())
      .when(recordDisbursement(giveBack))
      .then([disbursementRecorded({ ...giveBack, toParentRegionCode: '510000' })]);

    expect(regionFigures(state, '510321').availableFen).toBe(124760000n);
    expect(regionFigures(state, '510300')).toMatchObject({ returnedInFen: 0n, availableFen: 142190000n });
  });
});
