import { chengduSettled, given, lines, recordAllocation, seedPreAllocation, topUp } from './support/fund-spec';

/** A command that breaks several rules always gets the first refusal in the documented order. */
describe('RecordAllocation: the order in which rules are checked', () => {
  it('duplicate-document before unknown-region', () => {
    given(seedPreAllocation())
      .when(recordAllocation({ issuerRegionCode: '519900', lines: lines(['510199', '1']) }))
      .thenRefuses({ code: 'duplicate-document', regionCode: '519900' });
  });

  it('unknown issuer before an unknown line region', () => {
    given()
      .when(recordAllocation({ issuerRegionCode: '519900', lines: lines(['510199', '1']) }))
      .thenRefuses({ code: 'unknown-region', regionCode: '519900' });
  });

  it('every unknown line region before any line that is not a recipient', () => {
    given()
      .when(recordAllocation({ lines: lines(['510104', '1'], ['510199', '1']) }))
      .thenRefuses({ code: 'unknown-region', regionCode: '510199' });
  });

  it('not-a-recipient before total-mismatch', () => {
    given()
      .when(recordAllocation({ totalFen: '3', lines: lines(['510104', '1']) }))
      .thenRefuses({ code: 'not-a-recipient', regionCode: '510104' });
  });

  it('total-mismatch before earmark-violation', () => {
    given(seedPreAllocation())
      .when(
        recordAllocation({
          documentNo: '川财社〔2024〕15号',
          expenditureSubject: '2080505',
          totalFen: '3',
          lines: lines(['510100', '1']),
        }),
      )
      .thenRefuses({ code: 'total-mismatch', regionCode: '510000' });
  });

  it('earmark-violation before the top-up rules', () => {
    given(seedPreAllocation())
      .when(recordAllocation({ ...topUp(lines(['510100', '1'])).data, incomeSubject: '1100250' }))
      .thenRefuses({ code: 'earmark-violation', regionCode: '510000' });
  });

  it('not-settled on any line before adjustment-exceeded on another', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(topUp(lines(['510100', '4340001'], ['510300', '1'])))
      .thenRefuses({ code: 'not-settled', regionCode: '510300' });
  });
});
