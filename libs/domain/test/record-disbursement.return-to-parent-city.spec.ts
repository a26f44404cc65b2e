import { regionFigures } from '../src';
import { chengduPassDown, disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a return from a district to the city that passed the money down', () => {
  it('goes back to the city, whose returned-in balance grows', () => {
    const passDown = chengduPassDown();
    const giveBack = { disbursementId: 'd-2', regionCode: '510104', kind: 'return' as const, amountFen: '20000000' };

    const state = given(seedPreAllocation(), passDown)
      .when(recordDisbursement(giveBack))
      .then([disbursementRecorded({ ...giveBack, toParentRegionCode: '510100' })]);

    expect(regionFigures(state, '510104')).toMatchObject({ returnedFen: 20000000n, availableFen: 30000000n });
    expect(regionFigures(state, '510100')).toMatchObject({ returnedInFen: 20000000n, availableFen: 225660000n });
  });
});
