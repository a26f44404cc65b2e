import { allocationRecorded, given, lines, recordAllocation, seedPreAllocation } from './support/fund-spec';

// v2 (invariant 7): only the funding root creates money. v1 let a 市 issue an allocation to its
// own districts, which credited them without debiting the 市.
describe('RecordAllocation: an issuer other than the funding root', () => {
  it("refuses a 市's document to its own district once the province funds the program", () => {
    given(seedPreAllocation())
      .when(
        recordAllocation({ issuerRegionCode: '510100', documentNo: '成财社〔2024〕1号', lines: lines(['510104', '100000000']) }),
      )
      .thenRefuses({
        code: 'issuer-not-root',
        regionCode: '510100',
        detail:
          '510100 is not the funding root of sc-pension-contribution-subsidy 2024 (510000): only the root issues allocation documents',
      });
  });

  it('refuses a 市 as the first issuer of a program: the root is the province', () => {
    given()
      .when(
        recordAllocation({ issuerRegionCode: '510300', documentNo: '自财社〔2024〕1号', lines: lines(['510321', '10000']) }),
      )
      .thenRefuses({ code: 'issuer-not-root', regionCode: '510300' });
  });

  it('accepts a second pre-allocation from the root', () => {
    const second = { documentNo: '川财社〔2024〕30号', issuedOn: '2024-06-01', lines: lines(['510100', '10000']) };
    given(seedPreAllocation()).when(recordAllocation(second)).then([allocationRecorded(second)]);
  });
});
