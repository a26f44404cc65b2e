import { BalanceReplay } from '@earmark/audit';
import {
  allocation,
  chain,
  passDown,
  passDownDocument,
  payment,
  registry,
  returnUp,
  reversal,
  settlement,
  topUp,
  withData,
} from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/**
 * Invariant 8: nothing is paid before the money arrived, reversed before it happened, or settled
 * before the notice and what its subtree already recorded; payments past the grace period after
 * the fiscal year are refused. "Not in the future" is not checked: the verifier runs later.
 */
describe('possible dates', () => {
  // The province's notice is dated 2024-01-18; Chengdu hands money down on 2024-02-01.
  const seed = allocation('川财社〔2024〕2号', [['510100', 100_000n]]);
  const handedDown = passDown('510100', '510104', 40_000n, { id: 'd-1', paidOn: '2024-02-01' });
  const settled = settlement('510100', { actuals: [['dibao', 11, 10_000n]], preAllocatedFen: 100_000n });

  it('refuses a payment dated before the region received money', () => {
    expect(verdict([seed, handedDown, payment('510104', 10_000n, { id: 'd-2', paidOn: '2024-01-25' })])).toEqual(
      failedAt(3n, 'position 3: paidOn 2024-01-25 is before 510104 first received money on 2024-02-01'),
    );
  });

  it('refuses a pass-down document dated before the city received money', () => {
    const early = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 10_000n]], { passedOn: '2024-01-10' });
    expect(verdict([seed, early])).toEqual(failedAt(2n, 'position 2: passedOn 2024-01-10 is before 510100 first received money on 2024-01-18'));
  });

  it('accepts a payment on the last day of the grace period, and refuses one the day after', () => {
    expect(verdict([seed, payment('510100', 10_000n, { id: 'd-2', paidOn: '2025-03-31' })])).toEqual(passedThrough(2n));
    expect(verdict([seed, payment('510100', 10_000n, { id: 'd-2', paidOn: '2025-04-01' })])).toEqual(
      failedAt(2n, 'position 2: paidOn 2025-04-01 is past 2025-03-31, the end of 2024\'s grace period of 90 days'),
    );
  });

  it('takes the grace period the ledger was run with', () => {
    const late = payment('510100', 10_000n, { id: 'd-2', paidOn: '2025-02-01' });
    expect(verdict([seed, late], { latePaymentGraceDays: 30 })).toEqual(
      failedAt(2n, 'position 2: paidOn 2025-02-01 is past 2025-01-30, the end of 2024\'s grace period of 30 days'),
    );
    const replay = new BalanceReplay(registry, { latePaymentGraceDays: 30 });
    expect(chain([seed, late]).map((event) => replay.apply(event))).toEqual([
      null,
      'paidOn 2025-02-01 is past 2025-01-30, the end of 2024\'s grace period of 30 days',
    ]);
  });

  it('lets a return go back after the grace period while the region is open', () => {
    expect(verdict([seed, returnUp('510100', '510000', 10_000n, { id: 'd-2', paidOn: '2025-06-01' })])).toEqual(passedThrough(2n));
  });

  it('refuses a movement after settlement dated before the settlement', () => {
    const early = payment('510100', 5_000n, { id: 'd-2', paidOn: '2025-03-20', afterSettlement: true });
    expect(verdict([seed, settled, topUp('川财社〔2025〕12号', [['510100', 10_000n]]), early])).toEqual(
      failedAt(4n, 'position 4: paidOn 2025-03-20 is before the settlement of 510100 on 2025-03-31'),
    );
  });

  it('refuses paying out top-up money before it arrived', () => {
    const early = payment('510100', 5_000n, { id: 'd-2', paidOn: '2025-04-05', afterSettlement: true });
    expect(verdict([seed, settled, topUp('川财社〔2025〕12号', [['510100', 10_000n]], { issuedOn: '2025-04-10' }), early])).toEqual(
      failedAt(4n, 'position 4: paidOn 2025-04-05 is before 2025-04-10, the day top-up money first reached 510100 after the settlement'),
    );
  });

  it('refuses a reversal dated before its payment', () => {
    const paid = payment('510100', 10_000n, { id: 'd-2', paidOn: '2024-03-01' });
    expect(verdict([seed, paid, reversal(paid, { reversedOn: '2024-02-20' })])).toEqual(
      failedAt(3n, 'position 3: reversedOn 2024-02-20 is before d-2\'s own date 2024-03-01'),
    );
  });

  it('refuses a settlement dated before an earlier payment in its subtree', () => {
    const latePayment = payment('510104', 10_000n, { id: 'd-2', paidOn: '2025-03-20' });
    const early = withData(settled, { settledOn: '2025-03-10' });
    expect(verdict([seed, handedDown, latePayment, early])).toEqual(
      failedAt(4n, 'position 4: settledOn 2025-03-10 is before 2025-03-20, the latest date already recorded in 510100\'s subtree'),
    );
  });

  it('refuses a settlement dated before the region’s first pre-allocation', () => {
    expect(verdict([seed, withData(settled, { settledOn: '2024-01-17' })])).toEqual(
      failedAt(2n, 'position 2: settledOn 2024-01-17 is before 510100\'s first pre-allocation on 2024-01-18'),
    );
  });

  it('refuses a day that is not on the calendar', () => {
    expect(verdict([seed, payment('510100', 10_000n, { id: 'd-2', paidOn: '2024-02-30' })])).toEqual(
      failedAt(2n, 'position 2: paidOn is not a date'),
    );
  });
});
