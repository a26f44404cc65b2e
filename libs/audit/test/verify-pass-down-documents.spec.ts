import { BalanceReplay } from '@earmark/audit';
import { allocation, chain, passDownDocument, payment, registry } from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/** A 市's 下达 document: one debit of the city, one credit per district, under invariants 1-3 and 5. */
describe('pass-down documents (PassDownRecorded)', () => {
  const seed = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510300', 80_000n]]);

  it('debits the city by the total and credits each district its line', () => {
    const replay = new BalanceReplay(registry);
    const events = chain([seed, passDownDocument('510100', '成财社〔2024〕5号', [['510104', 30_000n], ['510105', 20_000n]])]);
    expect(events.map((event) => replay.apply(event))).toEqual([null, null]);
    expect(Object.fromEntries(replay.balances()[0].heldFen)).toEqual({
      '510100': 50_000n,
      '510104': 30_000n,
      '510105': 20_000n,
      '510300': 80_000n,
    });
  });

  it('refuses a line to a county the province pays directly', () => {
    const document = passDownDocument('510300', '自财社〔2024〕3号', [['510302', 10_000n], ['510321', 5_000n]]);
    expect(verdict([seed, document])).toEqual(failedAt(2n, 'position 2: 510300 passes money to 510321, which the province pays directly'));
  });

  it('refuses a line to another city’s district', () => {
    const document = passDownDocument('510100', '成财社〔2024〕5号', [['510302', 10_000n]]);
    expect(verdict([seed, document])).toEqual(failedAt(2n, 'position 2: 510100 passes money to 510302, which is not its child'));
  });

  it('refuses lines that do not sum to the total', () => {
    const document = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 30_000n], ['510105', 20_000n]], { totalFen: 49_999n });
    expect(verdict([seed, document])).toEqual(
      failedAt(2n, 'position 2: document 成财社〔2024〕5号\'s lines sum to 500.00 元, its total says 499.99 元'),
    );
  });

  it('refuses a line that names a district twice, or gives it nothing', () => {
    const twice = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 30_000n], ['510104', 20_000n]]);
    expect(verdict([seed, twice])).toEqual(failedAt(2n, 'position 2: document 成财社〔2024〕5号 names 510104 twice'));
    const nothing = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 0n]]);
    expect(verdict([seed, nothing])).toEqual(failedAt(2n, 'position 2: document 成财社〔2024〕5号 gives 510104 0.00 元'));
  });

  it('refuses a document number already used, by an allocation or another pass-down', () => {
    const reused = passDownDocument('510100', '川财社〔2024〕2号', [['510104', 10_000n]]);
    expect(verdict([seed, reused])).toEqual(failedAt(2n, 'position 2: document 川财社〔2024〕2号 is recorded twice'));
    const first = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 10_000n]]);
    expect(verdict([seed, first, first])).toEqual(failedAt(3n, 'position 3: document 成财社〔2024〕5号 is recorded twice'));
  });

  it('refuses a document that passes down more than the city holds', () => {
    const document = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 60_000n], ['510105', 50_000n]]);
    expect(verdict([seed, document])).toEqual(failedAt(2n, 'position 2: 510100 would hold -100.00 元'));
  });

  it('refuses a document from a region that holds no money', () => {
    const document = passDownDocument('510300', '自财社〔2024〕3号', [['510302', 10_000n]]);
    const onlyChengdu = allocation('川财社〔2024〕2号', [['510100', 100_000n]]);
    expect(verdict([onlyChengdu, document])).toEqual(
      failedAt(2n, 'position 2: 510300 holds no account in fund-sc-pension-contribution-subsidy-2024'),
    );
  });

  it('lets the districts spend what the document passed down', () => {
    const document = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 30_000n], ['510105', 20_000n]]);
    expect(verdict([seed, document, payment('510104', 30_000n, { id: 'd-1' }), payment('510105', 20_000n, { id: 'd-2' })])).toEqual(
      passedThrough(4n),
    );
  });
});
