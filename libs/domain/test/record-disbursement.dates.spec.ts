import { disbursementRecorded, given, recordDisbursement, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement and ReverseDisbursement: possible dates', () => {
  const pay = (paidOn: string) => recordDisbursement({ disbursementId: 'p-1', regionCode: '510100', amountFen: '10000', paidOn });

  it.each([
    ['1999-01-01', 'paidOn 1999-01-01 is before 510100 first received money for sc-pension-contribution-subsidy 2024 on 2024-01-18'],
    ['2023-01-01', 'paidOn 2023-01-01 is before 510100 first received money for sc-pension-contribution-subsidy 2024 on 2024-01-18'],
    ['2025-04-01', "paidOn 2025-04-01 is past 2025-03-31, the end of 2024's grace period of 90 days"],
    ['9999-12-31', 'paidOn 9999-12-31 is in the future (today is 2025-12-31 in China)'],
  ])('refuses a payment dated %s', (paidOn, detail) => {
    given(seedPreAllocation()).when(pay(paidOn)).thenRefuses({ code: 'date-out-of-range', regionCode: '510100', detail });
  });

  it('accepts a payment inside the grace period (2025-03-31)', () => {
    given(seedPreAllocation())
      .when(pay('2025-03-31'))
      .then([disbursementRecorded({ disbursementId: 'p-1', regionCode: '510100', amountFen: '10000', paidOn: '2025-03-31' })]);
  });

  it('refuses a reversal dated before its payment', () => {
    const paid = disbursementRecorded({ disbursementId: 'p-1', regionCode: '510100', amountFen: '10000', paidOn: '2024-03-10' });
    given(seedPreAllocation(), paid)
      .when(reverseDisbursement('p-1', '2024-03-09'))
      .thenRefuses({
        code: 'date-out-of-range',
        regionCode: '510100',
        detail: "reversedOn 2024-03-09 is before the disbursement's own date 2024-03-10",
      });
  });
});
