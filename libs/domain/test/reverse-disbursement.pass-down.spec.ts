import { regionFigures } from '../src';
import { chengduPassDown, given, reversalOf, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

describe('ReverseDisbursement: a pass-down', () => {
  it('takes the money back from the district to the city', () => {
    const passDown = chengduPassDown({ voucherNo: 'CD-XD-0001' });

    const state = given(seedPreAllocation(), passDown).when(reverseDisbursement('d-1')).then([reversalOf(passDown)]);

    expect(regionFigures(state, '510100')).toMatchObject({ passedDownFen: 0n, availableFen: 255660000n });
    expect(regionFigures(state, '510104')).toMatchObject({ receivedFen: 0n, availableFen: 0n });
  });
});
