import { given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a region the registry does not know', () => {
  it('is refused as unknown-region', () => {
    given(seedPreAllocation())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510199', amountFen: '10000' }))
      .thenRefuses({ code: 'unknown-region', regionCode: '510199', detail: 'region 510199 is not in the registry' });
  });
});
