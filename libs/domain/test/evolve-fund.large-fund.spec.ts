import { evolveFund, findDisbursement, initialFundState, regionFigures, type FundEvent } from '../src';
import { disbursementRecorded, seedPreAllocation } from './support/fund-spec';

/** A fund's state is cached and evolved event by event; its speed is measured by `npm run bench`, not here. */
describe('evolveFund: a fund with tens of thousands of disbursements', () => {
  it('updates the state in place and returns it', () => {
    const state = initialFundState('sc-pension-contribution-subsidy', 2024);
    expect(evolveFund(state, seedPreAllocation())).toBe(state);
  });

  it('folds them to exact figures', () => {
    const paymentCount = 40_000;
    const events: FundEvent[] = [seedPreAllocation()];
    for (let i = 1; i <= paymentCount; i += 1) {
      const id = `d-${i}`;
      events.push(disbursementRecorded({ disbursementId: id, regionCode: '510100', amountFen: '100', voucherNo: `CD-${i}` }));
    }

    let state = initialFundState('sc-pension-contribution-subsidy', 2024);
    for (const event of events) state = evolveFund(state, event);

    expect(regionFigures(state, '510100')).toMatchObject({
      paidFen: 4000000n,
      beneficiaries: paymentCount,
      availableFen: 251660000n,
    });
    expect(findDisbursement(state, `d-${paymentCount}`)?.amountFen).toBe(100n);
  });
});
