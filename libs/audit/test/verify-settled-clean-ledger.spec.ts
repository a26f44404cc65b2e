import { BalanceReplay, verifyLedger } from '@earmark/audit';
import {
  allocation,
  chain,
  fundStream,
  passDownDocument,
  payment,
  registry,
  returnUp,
  settlement,
  topUp,
  type Fact,
} from './support/ledger-fixture';

/**
 * A whole year as v2 records it: a 下达 document, returns before settlement netted, a top-up
 * handed down and paid out, a claw-back repaid, and a 扩权县 still open. Every rule holds.
 */
const after = { afterSettlement: true };
const facts: Fact[] = [
  allocation('川财社〔2024〕2号', [['510100', 1_000_000n], ['510300', 500_000n], ['510321', 200_000n]]),
  passDownDocument('510100', '成财社〔2024〕5号', [['510104', 300_000n], ['510105', 200_000n]]),
  payment('510104', 250_000n, { id: 'd-1' }),
  payment('510105', 200_000n, { id: 'd-2' }),
  payment('510100', 500_000n, { id: 'd-3' }),
  payment('510300', 400_000n, { id: 'd-4' }),
  payment('510321', 150_000n, { id: 'd-5' }),
  returnUp('510104', '510100', 50_000n, { id: 'd-6', paidOn: '2024-06-01' }),
  returnUp('510100', '510000', 50_000n, { id: 'd-7', paidOn: '2024-06-05' }),
  // Entitled 10,000.00 元 against 10,000.00 元 pre-allocated less 500.00 元 returned: a top-up of 500.00 元.
  settlement('510100', { actuals: [['dibao', 80, 10_000n], ['tekun', 20, 10_000n]], preAllocatedFen: 1_000_000n, returnedBeforeFen: 50_000n }),
  // Entitled 4,000.00 元 against 5,000.00 元: a claw-back of 1,000.00 元.
  settlement('510300', { actuals: [['dibao', 40, 10_000n]], preAllocatedFen: 500_000n }),
  topUp('川财社〔2025〕12号', [['510100', 50_000n]], { issuedOn: '2025-04-10' }),
  passDownDocument('510100', '成财社〔2025〕3号', [['510104', 30_000n]], { passedOn: '2025-04-15', ...after }),
  payment('510100', 20_000n, { id: 'd-8', paidOn: '2025-04-16', ...after }),
  payment('510104', 30_000n, { id: 'd-9', paidOn: '2025-04-20', ...after }),
  returnUp('510300', '510000', 100_000n, { id: 'd-10', paidOn: '2025-04-20', ...after }),
];

describe('verifyLedger on a settled year', () => {
  const events = chain(facts);

  it('passes every rule', () => {
    expect(verifyLedger({ events, registry })).toEqual({
      ok: true,
      events: 16,
      checkedThrough: 16n,
      checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
    });
  });

  it('ends with the settled subtrees spent to the 分 and the claw-back back at the source', () => {
    const replay = new BalanceReplay(registry);
    for (const event of events) expect(replay.apply(event)).toBeNull();
    const [fund] = replay.balances();
    expect(fund.streamName).toBe(fundStream);
    expect(Object.fromEntries(fund.heldFen)).toEqual({
      '510100': 0n,
      '510104': 0n,
      '510105': 0n,
      '510300': 0n,
      '510321': 50_000n,
    });
    // 17,500.00 元 allocated, 500.00 元 and 1,000.00 元 returned to the province.
    expect(Object.fromEntries(fund.sourceFen)).toEqual({ '510000': -1_600_000n });
    expect(fund.paidOutFen).toBe(1_550_000n);
    expect(replay.recountFen()).toBe(0n);
  });
});
