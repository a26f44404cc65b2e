import { regionFigures } from '../src';
import { chengduPassDown, disbursementRecorded, given, reversalOf, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

describe('ReverseDisbursement: a return', () => {
  it('brings money returned to the province back to the region', () => {
    const giveBack = disbursementRecorded({
      disbursementId: 'd-1',
      regionCode: '510321',
      kind: 'return',
      amountFen: '1000000',
      voucherNo: 'RX-JH-1',
      toParentRegionCode: '510000',
    });

    const state = given(seedPreAllocation(), giveBack).when(reverseDisbursement('d-1')).then([reversalOf(giveBack)]);

    expect(regionFigures(state, '510321')).toMatchObject({ returnedFen: 0n, availableFen: 125760000n });
  });

  it('takes money returned to the parent city back from the city', () => {
    const giveBack = disbursementRecorded({
      disbursementId: 'd-2',
      regionCode: '510104',
      kind: 'return',
      amountFen: '20000000',
      voucherNo: 'JJ-JH-1',
      toParentRegionCode: '510100',
    });

    const state = given(seedPreAllocation(), chengduPassDown(), giveBack).when(reverseDisbursement('d-2')).then([reversalOf(giveBack)]);

    expect(regionFigures(state, '510104')).toMatchObject({ returnedFen: 0n, availableFen: 50000000n });
    expect(regionFigures(state, '510100')).toMatchObject({ returnedInFen: 0n, availableFen: 205660000n });
  });
});
