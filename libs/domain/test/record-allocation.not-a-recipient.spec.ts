import { allocationRecorded, given, lines, recordAllocation } from './support/fund-spec';

describe('RecordAllocation: a line to a region the issuer does not pay directly', () => {
  it('refuses a district the province reaches only through its city (锦江区 under 成都市)', () => {
    given()
      .when(recordAllocation({ lines: lines(['510100', '10000'], ['510104', '10000']) }))
      .thenRefuses({
        code: 'not-a-recipient',
        regionCode: '510104',
        detail: '510104 does not receive money from 510000 directly',
      });
  });


  it('accepts a county the province pays directly (荣县, a 扩权县 under 自贡市)', () => {
    const document = { lines: lines(['510321', '125760000']) };
    given().when(recordAllocation(document)).then([allocationRecorded(document)]);
  });
});
