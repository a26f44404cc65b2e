import { allocation, settlement, topUp } from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/** Invariant 4 for the root's own documents: a top-up follows a settlement, up to what it owes. */
describe('top-ups and pre-allocations around a settlement', () => {
  const seed = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510300', 80_000n]]);
  // Entitled 1100.00 元 against 1000.00 元 pre-allocated: a top-up of 100.00 元 is owed.
  const topUpOwed = settlement('510100', { actuals: [['dibao', 11, 10_000n]], preAllocatedFen: 100_000n });
  // Entitled 700.00 元 against 800.00 元: a claw-back of 100.00 元 is owed, no top-up.
  const clawBackOwed = settlement('510300', { actuals: [['dibao', 7, 10_000n]], preAllocatedFen: 80_000n });

  it('refuses a top-up to a region that is not settled', () => {
    expect(verdict([seed, topUp('川财社〔2025〕12号', [['510100', 10_000n]])])).toEqual(
      failedAt(2n, 'position 2: a top-up follows a settlement: 川财社〔2025〕12号 gives 510100 a top-up, but 510100 is not settled'),
    );
  });

  it('accepts top-ups up to the settlement’s adjustment, in several documents', () => {
    const first = topUp('川财社〔2025〕12号', [['510100', 6_000n]]);
    const second = topUp('川财社〔2025〕13号', [['510100', 4_000n]]);
    expect(verdict([seed, topUpOwed, first, second])).toEqual(passedThrough(4n));
  });

  it('refuses a top-up beyond what the settlement still owes', () => {
    const first = topUp('川财社〔2025〕12号', [['510100', 6_000n]]);
    const second = topUp('川财社〔2025〕13号', [['510100', 5_000n]]);
    expect(verdict([seed, topUpOwed, first, second])).toEqual(
      failedAt(4n, 'position 4: top-up 川财社〔2025〕13号 gives 510100 50.00 元, but its outstanding top-up is 40.00 元'),
    );
  });

  it('refuses a top-up to a region whose settlement claws money back', () => {
    expect(verdict([seed, clawBackOwed, topUp('川财社〔2025〕12号', [['510300', 1n]])])).toEqual(
      failedAt(3n, 'position 3: top-up 川财社〔2025〕12号 gives 510300 0.01 元, but its outstanding top-up is 0.00 元'),
    );
  });

  it('refuses a top-up issued before the settlement it follows', () => {
    const early = topUp('川财社〔2025〕12号', [['510100', 10_000n]], { issuedOn: '2025-03-30' });
    expect(verdict([seed, topUpOwed, early])).toEqual(
      failedAt(3n, 'position 3: top-up 川财社〔2025〕12号 is issued on 2025-03-30, before 510100\'s settlement on 2025-03-31'),
    );
  });

  it('refuses a pre-allocation to a settled region', () => {
    const late = allocation('川财社〔2024〕30号', [['510100', 10_000n]], { issuedOn: '2024-12-01' });
    expect(verdict([seed, topUpOwed, late])).toEqual(
      failedAt(
        3n,
        'position 3: settled is closed: pre-allocation 川财社〔2024〕30号 gives 510100 money after its settlement 川财社〔2025〕9号; only a top-up may follow it',
      ),
    );
  });

  it('refuses a pre-allocation issued outside the fiscal year and the year before', () => {
    expect(verdict([allocation('川财社〔2022〕40号', [['510100', 10_000n]], { issuedOn: '2022-12-31' })])).toEqual(
      failedAt(1n, 'position 1: pre-allocation 川财社〔2022〕40号 is issued on 2022-12-31, outside 2023-01-01..2024-12-31 (the fiscal year or the year before)'),
    );
    expect(verdict([allocation('川财社〔2023〕40号', [['510100', 10_000n]], { issuedOn: '2023-01-01' })])).toEqual(passedThrough(1n));
  });
});
