import { regionFigures } from '../src';
import {
  disbursementRecorded,
  given,
  panzhihuaSettled,
  recordDisbursement,
  seedPreAllocation,
} from './support/fund-spec';

describe('RecordDisbursement: returning a claw-back after settlement', () => {
  const giveBack = (disbursementId: string, amountFen: string) =>
    ({ disbursementId, regionCode: '510400', kind: 'return' as const, amountFen, paidOn: '2025-04-15' });
  const givenBack = (disbursementId: string, amountFen: string, afterSettlement = true) =>
    disbursementRecorded({ ...giveBack(disbursementId, amountFen), toParentRegionCode: '510000', afterSettlement });

  it('accepts part of the claw-back, which stays outstanding for the rest', () => {
    const state = given(seedPreAllocation(), panzhihuaSettled())
      .when(recordDisbursement(giveBack('d-1', '300000')))
      .then([givenBack('d-1', '300000')]);

    expect(regionFigures(state, '510400')).toMatchObject({
      returnedFen: 300000n,
      availableFen: 20170000n,
      status: 'settled',
      settlement: { adjustmentFen: -470000n, outstandingFen: -170000n },
    });
  });

  it('is reconciled when the whole claw-back is returned', () => {
    const first = givenBack('d-1', '300000');
    const state = given(seedPreAllocation(), panzhihuaSettled(), first)
      .when(recordDisbursement(giveBack('d-2', '170000')))
      .then([givenBack('d-2', '170000')]);

    expect(regionFigures(state, '510400')).toMatchObject({ status: 'reconciled', settlement: { outstandingFen: 0n } });
  });

  it('refuses more than the outstanding claw-back as adjustment-exceeded', () => {
    given(seedPreAllocation(), panzhihuaSettled())
      .when(recordDisbursement(giveBack('d-1', '470001')))
      .thenRefuses({
        code: 'adjustment-exceeded',
        regionCode: '510400',
        detail: 'the claw-back outstanding is 4700.00 元, the return is 4700.01 元',
      });
  });

  it('refuses a return once reconciled, as year-settled', () => {
    const all = givenBack('d-1', '470000');
    given(seedPreAllocation(), panzhihuaSettled(), all)
      .when(recordDisbursement(giveBack('d-2', '1')))
      .thenRefuses({ code: 'year-settled', regionCode: '510400' });
  });

  it('refuses a payment: a claw-back brings no top-up money to spend', () => {
    given(seedPreAllocation(), panzhihuaSettled())
      .when(recordDisbursement({ disbursementId: 'd-1', regionCode: '510400', amountFen: '10000' }))
      .thenRefuses({ code: 'year-settled', regionCode: '510400' });
  });

  it('counts only returns made after settlement towards the claw-back', () => {
    const before = givenBack('d-1', '100000', false);
    const state = given(seedPreAllocation(), before, panzhihuaSettled())
      .when(recordDisbursement(giveBack('d-2', '470000')))
      .then([givenBack('d-2', '470000')]);

    expect(regionFigures(state, '510400')).toMatchObject({
      returnedFen: 570000n,
      availableFen: 19900000n,
      status: 'reconciled',
    });
  });
});
