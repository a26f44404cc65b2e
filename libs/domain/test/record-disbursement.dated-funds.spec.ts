import { allocationRecorded, disbursementRecorded, given, lines, recordDisbursement, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

// Invariant 8: nothing is paid before the money arrived. The books as of any day stay at or
// above zero, so a voucher dated before a later allocation cannot spend it.
describe('RecordDisbursement: money that arrives later', () => {
  const june = allocationRecorded({ documentNo: '川财社〔2024〕30号', issuedOn: '2024-06-01', lines: lines(['510400', '1000000']) });

  it('refuses a payment dated before the allocation it would need', () => {
    given(seedPreAllocation(), june)
      .when(recordDisbursement({ disbursementId: 'p-1', regionCode: '510400', amountFen: '20470001', paidOn: '2024-03-01' }))
      .thenRefuses({
        code: 'insufficient-funds',
        regionCode: '510400',
        detail: 'available 204700.00 元 on 2024-03-01 and every day after it (214700.00 元 in all: the rest arrives later)',
      });
  });

  it('accepts the same payment dated after that allocation', () => {
    given(seedPreAllocation(), june)
      .when(recordDisbursement({ disbursementId: 'p-1', regionCode: '510400', amountFen: '20470001', paidOn: '2024-06-01' }))
      .then([disbursementRecorded({ disbursementId: 'p-1', regionCode: '510400', amountFen: '20470001', paidOn: '2024-06-01' })]);
  });

  it('refuses a payment that the books of a later day could not carry', () => {
    // 攀枝花 spends all it had on 1 July and gets 10,000.00 more on 1 August: a voucher of 5,000.00
    // dated 1 March would leave the books of July below zero.
    const july = disbursementRecorded({ disbursementId: 'p-1', regionCode: '510400', amountFen: '20470000', beneficiaries: 2047, paidOn: '2024-07-01' });
    const august = allocationRecorded({ documentNo: '川财社〔2024〕31号', issuedOn: '2024-08-01', lines: lines(['510400', '1000000']) });
    given(seedPreAllocation(), july, august)
      .when(recordDisbursement({ disbursementId: 'p-2', regionCode: '510400', amountFen: '500000', paidOn: '2024-03-01' }))
      .thenRefuses({
        code: 'insufficient-funds',
        regionCode: '510400',
        detail: 'available 0.00 元 on 2024-03-01 and every day after it (10000.00 元 in all: the rest arrives later)',
      });
  });

  it('refuses to reverse a pass-down on a day the district had already spent it', () => {
    const passed = disbursementRecorded({
      disbursementId: 'pd-1',
      regionCode: '510100',
      kind: 'pass-down',
      amountFen: '100000',
      toRegionCode: '510104',
      paidOn: '2024-02-01',
    });
    const spent = disbursementRecorded({ disbursementId: 'p-1', regionCode: '510104', amountFen: '100000', paidOn: '2024-02-10' });
    given(seedPreAllocation(), passed, spent)
      .when(reverseDisbursement('pd-1', '2024-03-05'))
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510104', detail: 'available 0.00 元' });
  });
});
