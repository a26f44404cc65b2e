import { chengduSettled, given, lines, recordAllocation, seedPreAllocation, topUp } from './support/fund-spec';

describe('RecordAllocation: possible dates', () => {
  it('refuses a pre-allocation issued two years before its fiscal year', () => {
    given()
      .when(recordAllocation({ issuedOn: '2022-12-31', lines: lines(['510100', '10000']) }))
      .thenRefuses({
        code: 'date-out-of-range',
        regionCode: '510000',
        detail: 'a pre-allocation for 2024 is issued between 2023-01-01 and 2024-12-31, not on 2022-12-31',
      });
  });

  it('accepts a pre-allocation issued in the year before (2023-11-20 for 2024)', () => {
    given()
      .when(recordAllocation({ issuedOn: '2023-11-20', lines: lines(['510100', '10000']) }))
      .then([{ type: 'AllocationRecorded', data: recordAllocation({ issuedOn: '2023-11-20', lines: lines(['510100', '10000']) }).data }]);
  });

  it('refuses a document dated in the future', () => {
    given()
      .when(recordAllocation({ issuedOn: '2026-01-02', lines: lines(['510100', '10000']) }))
      .thenRefuses({
        code: 'date-out-of-range',
        regionCode: '510000',
        detail: 'issuedOn 2026-01-02 is in the future (today is 2025-12-31 in China)',
      });
  });

  it('refuses a top-up issued before the settlement it follows', () => {
    const early = { ...topUp(lines(['510100', '4340000'])) };
    given(seedPreAllocation(), chengduSettled())
      .when({ ...early, data: { ...early.data, issuedOn: '2025-03-30' } })
      .thenRefuses({
        code: 'date-out-of-range',
        regionCode: '510100',
        detail: 'a top-up follows the settlement of 510100 on 2025-03-31, it cannot be issued on 2025-03-30',
      });
  });
});
