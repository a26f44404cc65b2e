import { BalanceReplay } from '@earmark/audit';
import { allocation, chain, fundStream, passDown, registry, returnUp } from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/** Invariant 7: only the funding root (the province) creates money, by allocation documents. */
describe('money comes only from the funding root', () => {
  const province = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510321', 50_000n]]);

  it('refuses a first allocation issued by a city, which would make it the root of the fund', () => {
    const cityIssued = allocation('成财社〔2024〕1号', [['510104', 50_000n]], { issuer: '510100' });
    expect(verdict([cityIssued])).toEqual(
      failedAt(1n, 'position 1: only the funding root creates money: 510100 issues 成财社〔2024〕1号, but the registry\'s root above it is 510000'),
    );
  });

  it('refuses a city-issued allocation after the province fixed the root', () => {
    const cityIssued = allocation('成财社〔2024〕1号', [['510104', 50_000n]], { issuer: '510100' });
    expect(verdict([province, cityIssued])).toEqual(
      failedAt(
        2n,
        `position 2: only the funding root creates money: 510100 issues 成财社〔2024〕1号, but ${fundStream}'s root is 510000, the issuer of its first allocation`,
      ),
    );
  });

  it('accepts lines to a 市(州) and to a county the province pays directly', () => {
    expect(verdict([province])).toEqual(passedThrough(1n));
  });

  it('books a return to the root out of the program, and a return to a city with the city', () => {
    const replay = new BalanceReplay(registry);
    const events = chain([
      province,
      passDown('510100', '510104', 40_000n, { id: 'd-1' }),
      returnUp('510104', '510100', 10_000n, { id: 'd-2' }),
      returnUp('510321', '510000', 20_000n, { id: 'd-3' }),
    ]);
    expect(events.map((event) => replay.apply(event))).toEqual([null, null, null, null]);
    const [fund] = replay.balances();
    expect(Object.fromEntries(fund.heldFen)).toEqual({ '510100': 70_000n, '510104': 30_000n, '510321': 30_000n });
    expect(Object.fromEntries(fund.sourceFen)).toEqual({ '510000': -130_000n });
  });
});
