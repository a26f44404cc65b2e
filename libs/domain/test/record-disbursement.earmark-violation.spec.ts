import { given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a payment under another expenditure subject', () => {
  it('is refused as earmark-violation: the money may be spent only under the program subject', () => {
    given(seedPreAllocation())
      .when(
        recordDisbursement({
          disbursementId: 'd-1',
          regionCode: '510100',
          amountFen: '10000',
          expenditureSubject: '2080505',
        }),
      )
      .thenRefuses({
        code: 'earmark-violation',
        regionCode: '510100',
        detail: 'the fund pays under 2083001, not 2080505',
      });
  });
});
