import { regionFigures } from '../src';
import {
  chengduSettled,
  disbursementRecorded,
  given,
  recordDisbursement,
  regionYearSettled,
  seedPreAllocation,
} from './support/fund-spec';

// v2 (invariant 4): settling a 市 closes its whole subtree. v1 let 青羊区 keep paying out
// pre-allocated money after 成都 was settled, and return money 成都 could then neither pay nor return.
describe('RecordDisbursement: a district of a settled 市', () => {
  const toQingyang = disbursementRecorded({
    disbursementId: 'pd-1',
    regionCode: '510100',
    kind: 'pass-down',
    amountFen: '1000000',
    toRegionCode: '510105',
    paidOn: '2024-02-01',
  });
  const chengduClawBack = regionYearSettled('510100', {
    actuals: [[25000, '10000']],
    entitledFen: '250000000',
    allocatedFen: '255660000',
    adjustmentFen: '-5660000',
  });

  it('refuses a payment of pre-settlement money', () => {
    given(seedPreAllocation(), toQingyang, chengduSettled())
      .when(recordDisbursement({ disbursementId: 'p-1', regionCode: '510105', amountFen: '10000', paidOn: '2027-01-05' }))
      .thenRefuses({
        code: 'year-settled',
        regionCode: '510105',
        detail: '510100 2024 is settled and 510105 holds no top-up money to pay out or pass down',
      });
  });

  it('refuses a return when the 市 owes no claw-back', () => {
    given(seedPreAllocation(), toQingyang, chengduSettled())
      .when(recordDisbursement({ disbursementId: 'r-1', regionCode: '510105', kind: 'return', amountFen: '10000', paidOn: '2025-04-01' }))
      .thenRefuses({ code: 'year-settled', regionCode: '510105' });
  });

  it('returns towards the 市 only what it still lacks for its claw-back', () => {
    // 成都 holds 2,546,600.00 after the pass-down and owes 56,600.00: it needs nothing from below.
    given(seedPreAllocation(), toQingyang, chengduClawBack)
      .when(recordDisbursement({ disbursementId: 'r-1', regionCode: '510105', kind: 'return', amountFen: '10000', paidOn: '2025-04-01' }))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510105',
        detail: '510100 needs 0.00 元 more to repay its claw-back of 56600.00 元, the return is 100.00 元',
      });
  });

  it('accepts the return that completes the 市 claw-back, marked as after settlement', () => {
    const drained = disbursementRecorded({
      disbursementId: 'pay-all',
      regionCode: '510100',
      amountFen: '250660000',
      beneficiaries: 25066,
      paidOn: '2024-03-01',
    });
    const back = { disbursementId: 'r-1', regionCode: '510105', kind: 'return' as const, amountFen: '1000000', paidOn: '2025-04-01' };
    const state = given(seedPreAllocation(), toQingyang, drained, chengduClawBack)
      .when(recordDisbursement(back))
      .then([disbursementRecorded({ ...back, toParentRegionCode: '510100', afterSettlement: true })]);

    expect(regionFigures(state, '510100').availableFen).toBe(5000000n);
  });
});
