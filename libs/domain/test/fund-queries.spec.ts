import { findDisbursement, fundSubjects, hasDocument, initialFundState, regionFigures } from '../src';
import { foldFund, seedPreAllocation } from './support/fund-spec';

describe('Fund queries', () => {
  it('answer zeros and open for a fund with no events', () => {
    const state = initialFundState('sc-pension-contribution-subsidy', 2024);

    expect(regionFigures(state, '510100')).toEqual({
      allocatedFen: 0n,
      receivedFen: 0n,
      returnedInFen: 0n,
      passedDownFen: 0n,
      paidFen: 0n,
      beneficiaries: 0,
      returnedFen: 0n,
      availableFen: 0n,
      status: 'open',
      settlement: null,
    });
    expect(fundSubjects(state)).toBeNull();
    expect(hasDocument(state, '川财社〔2024〕2号')).toBe(false);
    expect(findDisbursement(state, 'd-1')).toBeNull();
  });

  it('answer zeros and open for a region the fund never reached, or the registry does not know', () => {
    const state = foldFund([seedPreAllocation()]);

    const nothing = { allocatedFen: 0n, availableFen: 0n, status: 'open', settlement: null };
    expect(regionFigures(state, '510500')).toMatchObject(nothing);
    expect(regionFigures(state, '999999')).toMatchObject(nothing);
  });

  it('hand out copies the caller cannot use to change the state', () => {
    const state = foldFund([seedPreAllocation()]);
    const subjects = fundSubjects(state);
    if (subjects === null) throw new Error('the seed fixes the subjects');
    subjects.expenditureSubject = '2080505';
    regionFigures(state, '510100').availableFen = 0n;

    expect(fundSubjects(state)?.expenditureSubject).toBe('2083001');
    expect(regionFigures(state, '510100').availableFen).toBe(255660000n);
  });
});
