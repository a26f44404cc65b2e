import {
  chengduSettled,
  disbursementRecorded,
  given,
  reverseDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

describe('ReverseDisbursement: a disbursement recorded before its region-year was settled', () => {
  it('is refused as year-settled: the settlement already counts it', () => {
    given(
      seedPreAllocation(),
      disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000' }),
      chengduSettled(),
    )
      .when(reverseDisbursement('d-1'))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 was settled after this disbursement: the settlement already counts it',
      });
  });
});
