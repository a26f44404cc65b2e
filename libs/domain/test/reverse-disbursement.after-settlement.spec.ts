import { regionFigures } from '../src';
import {
  chengduSettled,
  disbursementRecorded,
  given,
  lines,
  panzhihuaSettled,
  recordDisbursement,
  reversalOf,
  reverseDisbursement,
  seedPreAllocation,
  topUpRecorded,
} from './support/fund-spec';

describe('ReverseDisbursement: a disbursement made after settlement', () => {
  const toppedUp = () => [seedPreAllocation(), chengduSettled(), topUpRecorded(lines(['510100', '4340000']))];
  const spentTopUp = disbursementRecorded({
    disbursementId: 'd-1',
    regionCode: '510100',
    amountFen: '4340000',
    voucherNo: 'CD-BB-1',
    beneficiaries: 434,
    paidOn: '2025-06-01',
    afterSettlement: true,
  });
  const spentTopUpReversed = reversalOf(spentTopUp, '2025-06-05');

  it('may be reversed though the region-year is settled', () => {
    const state = given(...toppedUp(), spentTopUp).when(reverseDisbursement('d-1', '2025-06-05')).then([spentTopUpReversed]);

    expect(regionFigures(state, '510100')).toMatchObject({
      paidFen: 0n,
      availableFen: 260000000n,
      status: 'reconciled',
    });
  });

  it('makes the top-up money it spent available to spend again', () => {
    const again = { disbursementId: 'd-2', regionCode: '510100', amountFen: '4340000', beneficiaries: 434, paidOn: '2025-06-06' };
    given(...toppedUp(), spentTopUp, spentTopUpReversed)
      .when(recordDisbursement(again))
      .then([disbursementRecorded({ ...again, afterSettlement: true })]);
  });

  it('reopens the claw-back a reversed return had repaid', () => {
    const repaid = disbursementRecorded({
      disbursementId: 'd-1',
      regionCode: '510400',
      kind: 'return',
      amountFen: '470000',
      voucherNo: 'PZH-JH-1',
      toParentRegionCode: '510000',
      paidOn: '2025-04-15',
      afterSettlement: true,
    });

    const state = given(seedPreAllocation(), panzhihuaSettled(), repaid)
      .when(reverseDisbursement('d-1', '2025-04-20'))
      .then([reversalOf(repaid, '2025-04-20')]);

    expect(regionFigures(state, '510400')).toMatchObject({
      returnedFen: 0n,
      availableFen: 20470000n,
      status: 'settled',
      settlement: { outstandingFen: -470000n },
    });
  });
});
