import {
  chengduPassDown,
  allocationRecorded,
  disbursementRecorded,
  given,
  lines,
  regionYearSettled,
  seedPreAllocation,
  settleRegionYear,
} from './support/fund-spec';

describe('SettleRegionYear: what counts as allocated', () => {
  it('sums every pre-allocation document to the region and nothing it received from elsewhere', () => {
    const secondDocument = allocationRecorded({ documentNo: '川财社〔2024〕15号', lines: lines(['510100', '1000000']) });
    const returnFromDistrict = disbursementRecorded({
      disbursementId: 'd-2',
      regionCode: '510104',
      kind: 'return',
      amountFen: '500000',
      toParentRegionCode: '510100',
    });
    const passDown = chengduPassDown({ amountFen: '5000000' });

    given(seedPreAllocation(), secondDocument, passDown, returnFromDistrict)
      .when(settleRegionYear('510100', [[25000, '10000'], [1, '333']]))
      .then([
        regionYearSettled('510100', {
          actuals: [[25000, '10000'], [1, '333']],
          entitledFen: '250000333',
          allocatedFen: '256660000',
          adjustmentFen: '-6659667',
        }),
      ]);
  });
});
