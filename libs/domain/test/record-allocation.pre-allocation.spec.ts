import { findDisbursement, fundSubjects, hasDocument, regionFigures } from '../src';
import { allocationRecorded, given, lines, recordAllocation } from './support/fund-spec';

describe('RecordAllocation: a pre-allocation', () => {
  it('records the document as sent and credits each line to its region', () => {
    const seedLines = lines(
      ['510100', '255660000'],
      ['510300', '142190000'],
      ['510321', '125760000'],
      ['510400', '20470000'],
    );

    const state = given()
      .when(recordAllocation({ totalFen: '544080000', lines: seedLines }))
      .then([allocationRecorded({ totalFen: '544080000', lines: seedLines })]);

    expect(regionFigures(state, '510100')).toEqual({
      allocatedFen: 255660000n,
      receivedFen: 0n,
      returnedInFen: 0n,
      passedDownFen: 0n,
      paidFen: 0n,
      beneficiaries: 0,
      returnedFen: 0n,
      availableFen: 255660000n,
      status: 'open',
      settlement: null,
    });
    // 荣县 is paid by the province directly: its line is its own, not its city's.
    expect(regionFigures(state, '510321').availableFen).toBe(125760000n);
    expect(regionFigures(state, '510300').availableFen).toBe(142190000n);
    expect(fundSubjects(state)).toEqual({ incomeSubject: '1100299', expenditureSubject: '2083001' });
    expect(hasDocument(state, '川财社〔2024〕2号')).toBe(true);
    expect(hasDocument(state, '川财社〔2024〕3号')).toBe(false);
    expect(findDisbursement(state, 'd-1')).toBeNull();
  });
});
