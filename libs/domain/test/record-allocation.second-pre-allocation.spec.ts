import { regionFigures } from '../src';
import { allocationRecorded, given, lines, recordAllocation, seedPreAllocation } from './support/fund-spec';

describe('RecordAllocation: a second pre-allocation document', () => {
  it('adds to what the first gave, under the same subjects', () => {
    const second = { documentNo: '川财社〔2024〕15号', issuedOn: '2024-06-20', lines: lines(['510100', '1000000']) };

    const state = given(seedPreAllocation())
      .when(recordAllocation(second))
      .then([allocationRecorded(second)]);

    expect(regionFigures(state, '510100').allocatedFen).toBe(256660000n);
    expect(regionFigures(state, '510100').availableFen).toBe(256660000n);
  });
});
