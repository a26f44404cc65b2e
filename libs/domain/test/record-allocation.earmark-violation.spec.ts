import { given, lines, recordAllocation, seedPreAllocation } from './support/fund-spec';

describe('RecordAllocation: subjects other than those the first allocation fixed', () => {
  const second = { documentNo: '川财社〔2024〕15号', lines: lines(['510100', '10000']) };

  it('refuses another expenditure subject', () => {
    given(seedPreAllocation())
      .when(recordAllocation({ ...second, expenditureSubject: '2080505' }))
      .thenRefuses({
        code: 'earmark-violation',
        regionCode: '510000',
        detail: "the fund's subjects are 1100299/2083001, the document says 1100299/2080505",
      });
  });

  it('refuses another income subject', () => {
    given(seedPreAllocation())
      .when(recordAllocation({ ...second, incomeSubject: '1100250' }))
      .thenRefuses({ code: 'earmark-violation', regionCode: '510000' });
  });
});
