import { regionFigures } from '../src';
import {
  disbursementRecorded,
  disbursementReversed,
  given,
  reverseDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

describe('ReverseDisbursement: a pass-down', () => {
  it('takes the money back from the district to the city', () => {
    const passDown = disbursementRecorded({
      disbursementId: 'd-1',
      regionCode: '510100',
      kind: 'pass-down',
      amountFen: '50000000',
      voucherNo: 'CD-XD-0001',
      toRegionCode: '510104',
    });

    const state = given(seedPreAllocation(), passDown)
      .when(reverseDisbursement('d-1'))
      .then([
        disbursementReversed('d-1', {
          regionCode: '510100',
          kind: 'pass-down',
          amountFen: '50000000',
          voucherNo: 'CD-XD-0001',
          toRegionCode: '510104',
        }),
      ]);

    expect(regionFigures(state, '510100')).toMatchObject({ passedDownFen: 0n, availableFen: 255660000n });
    expect(regionFigures(state, '510104')).toMatchObject({ receivedFen: 0n, availableFen: 0n });
  });
});
