import { given, lines, recordAllocation } from './support/fund-spec';

describe('RecordAllocation: lines that do not sum to the stated total', () => {
  it('is refused as total-mismatch, the detail giving both sums and the difference', () => {
    given()
      .when(
        recordAllocation({
          totalFen: '13500000000',
          lines: lines(['510100', '6749995000'], ['510300', '6749995000']),
        }),
      )
      .thenRefuses({
        code: 'total-mismatch',
        regionCode: '510000',
        detail: 'lines sum to 134,999,900.00 元, total says 135,000,000.00 元: differs by 100.00 元',
      });
  });

  it('states the difference as a size when the lines exceed the total', () => {
    given()
      .when(recordAllocation({ totalFen: '255660000', lines: lines(['510100', '255660000'], ['510300', '1']) }))
      .thenRefuses({
        code: 'total-mismatch',
        regionCode: '510000',
        detail: 'lines sum to 2,556,600.01 元, total says 2,556,600.00 元: differs by 0.01 元',
      });
  });
});
