import { evolveFund, findDisbursement, initialFundState, regionFigures, type FundEvent } from '../src';
import { disbursementRecorded, seedPreAllocation } from './support/fund-spec';

/** A fund's state is cached and evolved event by event; a large fund must not make that quadratic. */
describe('evolveFund: a fund with tens of thousands of disbursements', () => {
  it('updates the state in place and returns it', () => {
    const state = initialFundState('sc-pension-contribution-subsidy', 2024);
    expect(evolveFund(state, seedPreAllocation())).toBe(state);
  });

  it('folds them quickly to exact figures', () => {
    const paymentCount = 40_000;
    const events: FundEvent[] = [seedPreAllocation()];
    for (let i = 1; i <= paymentCount; i += 1) {
      const id = `d-${i}`;
      events.push(disbursementRecorded({ disbursementId: id, regionCode: '510100', amountFen: '100', voucherNo: `CD-${i}` }));
    }

    const startedMs = performance.now();
    let state = initialFundState('sc-pension-contribution-subsidy', 2024);
    for (const event of events) state = evolveFund(state, event);
    const elapsedMs = performance.now() - startedMs;

    expect(regionFigures(state, '510100')).toMatchObject({
      paidFen: 4000000n,
      beneficiaries: paymentCount,
      availableFen: 251660000n,
    });
    expect(findDisbursement(state, `d-${paymentCount}`)?.amountFen).toBe(100n);
    // Copying the maps per event would make this quadratic (over a billion entry copies); in place it is linear.
    expect(elapsedMs).toBeLessThan(3000);
  });
});
