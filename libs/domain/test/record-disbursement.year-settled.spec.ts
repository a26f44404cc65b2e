import { chengduSettled, given, recordDisbursement, seedPreAllocation, zigongSettled } from './support/fund-spec';

describe('RecordDisbursement: a settled region-year that owes nothing back and holds no top-up', () => {
  it('refuses a payment', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000' }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is settled and holds no top-up money to pay out or pass down',
      });
  });

  it('refuses a pass-down', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(
        recordDisbursement({
          disbursementId: 'd-1',
          regionCode: '510100',
          kind: 'pass-down',
          amountFen: '10000',
          toRegionCode: '510104',
        }),
      )
      .thenRefuses({ code: 'year-settled', regionCode: '510100' });
  });

  it('refuses a return while a top-up, not a claw-back, is owed', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', kind: 'return', amountFen: '10000' }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is settled and owes no claw-back: nothing may be returned',
      });
  });

  it('refuses a return from a region settled with no adjustment', () => {
    given(seedPreAllocation(), zigongSettled())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510300', kind: 'return', amountFen: '10000' }))
      .thenRefuses({ code: 'year-settled', regionCode: '510300' });
  });

  it('is checked before the balance: a settled region is refused as settled, not as short of money', () => {
    given(seedPreAllocation(), zigongSettled())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510300', amountFen: '999999999999' }))
      .thenRefuses({ code: 'year-settled', regionCode: '510300' });
  });
});
