import {
  chengduSettled,
  disbursementRecorded,
  given,
  recordDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

/** A command that breaks several rules always gets the first refusal in the documented order. */
describe('RecordDisbursement: the order in which rules are checked', () => {
  const first = disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen: '1', voucherNo: 'V1' });
  const tooMuchFen = '999999999999';

  it('duplicate-voucher before earmark-violation', () => {
    given(seedPreAllocation(), first)
      .when(
        recordDisbursement({
          disbursementId: 'd-2',
          regionCode: '510100',
          amountFen: '1',
          voucherNo: 'V1',
          expenditureSubject: '2080505',
        }),
      )
      .thenRefuses({ code: 'duplicate-voucher', regionCode: '510100' });
  });

  it('earmark-violation before year-settled and insufficient-funds', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(
        recordDisbursement({
          disbursementId: 'd-2',
          regionCode: '510100',
          amountFen: tooMuchFen,
          expenditureSubject: '2080505',
        }),
      )
      .thenRefuses({ code: 'earmark-violation', regionCode: '510100' });
  });

  it('not-a-child-region before year-settled and insufficient-funds', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(
        recordDisbursement({
          disbursementId: 'd-2',
          regionCode: '510100',
          kind: 'pass-down',
          toRegionCode: '510302',
          amountFen: tooMuchFen,
        }),
      )
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510100' });
  });
});
