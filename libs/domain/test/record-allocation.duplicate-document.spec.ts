import { given, lines, recordAllocation, seedPreAllocation } from './support/fund-spec';

describe('RecordAllocation: a document number already recorded', () => {
  it('is refused as duplicate-document, for the issuer', () => {
    given(seedPreAllocation())
      .when(recordAllocation({ documentNo: '川财社〔2024〕2号', lines: lines(['510100', '10000']) }))
      .thenRefuses({
        code: 'duplicate-document',
        regionCode: '510000',
        detail: 'document 川财社〔2024〕2号 is already recorded',
      });
  });
});
