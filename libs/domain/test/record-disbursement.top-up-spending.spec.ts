import { regionFigures } from '../src';
import {
  chengduSettled,
  disbursementRecorded,
  given,
  lines,
  recordDisbursement,
  seedPreAllocation,
  topUpRecorded,
} from './support/fund-spec';

describe('RecordDisbursement: spending a top-up received after settlement', () => {
  const toppedUp = () => [seedPreAllocation(), chengduSettled(), topUpRecorded(lines(['510100', '4340000']))];
  const spentAfterSettlement = (amountFen: string) =>
    disbursementRecorded({ disbursementId: 'd-1', regionCode: '510100', amountFen, paidOn: '2025-06-01', afterSettlement: true });

  it('pays out top-up money, marked as after settlement', () => {
    const payment = { disbursementId: 'd-1', regionCode: '510100', amountFen: '4000000', beneficiaries: 400, paidOn: '2025-06-01' };
    const state = given(...toppedUp())
      .when(recordDisbursement(payment))
      .then([disbursementRecorded({ ...payment, afterSettlement: true })]);

    expect(regionFigures(state, '510100')).toMatchObject({
      paidFen: 4000000n,
      availableFen: 256000000n,
      status: 'reconciled',
    });
  });

  it('passes the rest of the top-up down to a district', () => {
    const passDown = {
      disbursementId: 'd-2',
      regionCode: '510100',
      kind: 'pass-down' as const,
      amountFen: '340000',
      toRegionCode: '510104',
      paidOn: '2025-06-02',
    };
    const state = given(...toppedUp(), spentAfterSettlement('4000000'))
      .when(recordDisbursement(passDown))
      .then([disbursementRecorded({ ...passDown, afterSettlement: true })]);

    expect(regionFigures(state, '510104').availableFen).toBe(340000n);
  });

  it('refuses more than the top-up money left as year-settled, saying how much is left', () => {
    given(...toppedUp(), spentAfterSettlement('4000000'))
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510100', amountFen: '340001' }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is settled: only 3400.00 元 of top-up money is left to pay out or pass down',
      });
  });

  it('refuses any more once the top-up is spent, though the region still holds pre-settlement money', () => {
    given(...toppedUp(), spentAfterSettlement('4340000'))
      .when(recordDisbursement({ disbursementId: 'd-2', regionCode: '510100', amountFen: '1' }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510100',
        detail: '510100 2024 is settled and holds no top-up money to pay out or pass down',
      });
  });
});
