import { allocation, fundStream, legacySettlement, payment, returnUp, reversal, settlement } from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/**
 * A settlement's figures are recomputed from the replay's own: entitled = Σ persons × standard,
 * allocated = pre-allocated − returned to the root before it, adjustment = entitled − allocated.
 */
describe('settlement arithmetic (RegionYearSettled)', () => {
  const seed = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510321', 50_000n]]);
  const returnedBefore = returnUp('510100', '510000', 20_000n, { id: 'd-1', paidOn: '2024-06-01' });
  const actuals = [['dibao', 7, 10_000n], ['tekun', 2, 10_000n]] as const;

  it('accepts a settlement that nets a return made before it', () => {
    const netted = settlement('510100', { actuals, preAllocatedFen: 100_000n, returnedBeforeFen: 20_000n });
    expect(netted.data).toMatchObject({ entitledFen: '90000', allocatedFen: '80000', adjustmentFen: '10000' });
    expect(verdict([seed, returnedBefore, netted])).toEqual(passedThrough(3n));
  });

  it('refuses a settlement whose allocated ignores a return made before it', () => {
    const ignoring = settlement('510100', { actuals, preAllocatedFen: 100_000n, returnedBeforeFen: 0n });
    expect(verdict([seed, returnedBefore, ignoring])).toEqual(
      failedAt(
        3n,
        'position 3: settlement 川财社〔2025〕9号 of 510100 states 0.00 元 returned before it, but 510100 returned 200.00 元 to 510000 before settlement',
      ),
    );
  });

  it('reads a settlement without the v2 fields as pre-allocated = allocated and nothing returned, and still checks them', () => {
    expect(verdict([seed, legacySettlement('510100', 90_000n, 100_000n)])).toEqual(passedThrough(2n));
    expect(verdict([seed, returnedBefore, legacySettlement('510100', 90_000n, 100_000n)])).toEqual(
      failedAt(
        3n,
        'position 3: settlement 川财社〔2025〕9号 of 510100 states 0.00 元 returned before it, but 510100 returned 200.00 元 to 510000 before settlement',
      ),
    );
  });

  it('does not net a return that was reversed before the settlement', () => {
    const cancelled = reversal(returnedBefore, { reversedOn: '2024-06-02' });
    const settled = settlement('510100', { actuals, preAllocatedFen: 100_000n, returnedBeforeFen: 0n });
    expect(verdict([seed, returnedBefore, cancelled, settled])).toEqual(passedThrough(4n));
  });

  it('refuses a wrong adjustment', () => {
    const wrong = settlement('510100', { actuals, preAllocatedFen: 100_000n, adjustmentFen: 0n });
    expect(verdict([seed, wrong])).toEqual(
      failedAt(
        2n,
        'position 2: settlement 川财社〔2025〕9号 of 510100 states an adjustment of 0.00 元, but entitled 900.00 元 less allocated 1000.00 元 is -100.00 元',
      ),
    );
  });

  it('refuses an entitlement its actuals do not add up to', () => {
    const wrong = settlement('510100', { actuals, preAllocatedFen: 100_000n, entitledFen: 100_000n });
    expect(verdict([seed, wrong])).toEqual(
      failedAt(2n, 'position 2: settlement 川财社〔2025〕9号 of 510100 states entitled 1000.00 元, its actuals come to 900.00 元'),
    );
  });

  it('refuses pre-allocations other than the region received', () => {
    const wrong = settlement('510100', { actuals, preAllocatedFen: 120_000n });
    expect(verdict([seed, wrong])).toEqual(
      failedAt(2n, 'position 2: settlement 川财社〔2025〕9号 of 510100 states pre-allocations of 1200.00 元, but 510100 was pre-allocated 1000.00 元'),
    );
  });

  it('refuses an allocated other than pre-allocated less returned', () => {
    const wrong = settlement('510100', { actuals, preAllocatedFen: 100_000n, returnedBeforeFen: 20_000n, allocatedFen: 90_000n });
    expect(verdict([seed, returnedBefore, wrong])).toEqual(
      failedAt(
        3n,
        'position 3: settlement 川财社〔2025〕9号 of 510100 states allocated 900.00 元, but pre-allocated 1000.00 元 less returned 200.00 元 is 800.00 元',
      ),
    );
  });

  it('refuses a category counted twice', () => {
    const twice = settlement('510100', { actuals: [['dibao', 7, 10_000n], ['dibao', 2, 10_000n]], preAllocatedFen: 100_000n });
    expect(verdict([seed, twice])).toEqual(failedAt(2n, 'position 2: settlement 川财社〔2025〕9号 names category dibao twice'));
  });

  it('refuses a second settlement of the same region-year', () => {
    const first = settlement('510100', { actuals, preAllocatedFen: 100_000n });
    const second = settlement('510100', { documentNo: '川财社〔2025〕10号', actuals, preAllocatedFen: 100_000n });
    expect(verdict([seed, first, second])).toEqual(failedAt(3n, 'position 3: 510100 is settled twice (first by 川财社〔2025〕9号)'));
  });

  it('refuses to settle a district, which the root does not fund', () => {
    const district = settlement('510104', { actuals, preAllocatedFen: 0n });
    expect(verdict([seed, district])).toEqual(
      failedAt(2n, 'position 2: 510104 is not a direct recipient of 510000: only the root\'s recipients are settled'),
    );
  });

  it('refuses to settle a region that received no pre-allocation', () => {
    const zigong = settlement('510300', { actuals, preAllocatedFen: 0n });
    expect(verdict([seed, zigong])).toEqual(
      failedAt(2n, `position 2: 510300 received no pre-allocation in ${fundStream}: there is nothing to settle`),
    );
  });

  it('counts payments as the region’s own business: only returns to the root are netted', () => {
    const settled = settlement('510100', { actuals, preAllocatedFen: 100_000n });
    expect(verdict([seed, payment('510100', 60_000n, { id: 'd-1' }), settled])).toEqual(passedThrough(3n));
  });
});
