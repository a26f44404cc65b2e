import { given, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

describe('ReverseDisbursement: an id the fund has never recorded', () => {
  it('is refused as not-found, concerning no region', () => {
    given(seedPreAllocation())
      .when(reverseDisbursement('d-404'))
      .thenRefuses({
        code: 'not-found',
        regionCode: null,
        detail: 'no disbursement d-404 in sc-pension-contribution-subsidy 2024',
      });
  });
});
