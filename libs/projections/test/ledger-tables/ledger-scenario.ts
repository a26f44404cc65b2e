import type { JsonObject, LedgerReadModels, RecordedEvent } from '@earmark/event-store';
import { InMemoryLedgerTables } from '../../src';
import { FundLog } from '../support/fund-log';

/**
 * The history every ledger-tables adapter is checked against: money allocated to three regions,
 * passed down, paid, one payment reversed, a refused attempt, performance targets and an actual,
 * and a top-up document. Events of the fund and of the refusal stream in log order.
 */
export function ledgerScenario(more: (log: FundLog) => void = () => undefined): { events: RecordedEvent[]; reversedId: string; keptId: string } {
  const log = new FundLog();
  log.allocation([
    ['510100', '1000.00'],
    ['510300', '500.00'],
    ['510400', '300.00'],
  ]);
  log.passDown('510300', '510302', '200.00', '2024-02-01');
  const kept = log.payment('510302', '50.00', 5, '2024-02-10');
  const reversed = log.payment('510400', '30.00', 3, '2024-02-11');
  log.reversal(reversed, '2024-02-12');
  log.refused({ actor: 'pzh', code: 'insufficient-funds', regionCode: '510400', attemptedOn: '2024-02-13', detail: 'holds 300.00' });
  log.targets('510300');
  log.actual('510300', 'enrolment-rate', '96%', '2024-12-01');
  log.allocation([['510100', '100.00']], { kind: 'top-up', documentNo: '川财社〔2024〕9号', issuedOn: '2024-06-01' });
  more(log);
  const events = [...log.fundEvents, ...log.refusalEvents].sort((a, b) => (a.position < b.position ? -1 : 1));
  return { events, reversedId: reversed.id, keptId: kept.id };
}

/**
 * A store opened on a file of the JSON-document release: its ledger tables hold what the log
 * folds into, the old ledger documents are gone, and another projection's documents and
 * checkpoint (9) are kept.
 */
export async function expectUpgradedFrom(
  events: readonly RecordedEvent[],
  store: LedgerReadModels & { listCollection(collection: string): Promise<readonly { readonly id: string; readonly doc: JsonObject }[]> },
): Promise<void> {
  const expected = new InMemoryLedgerTables();
  expected.apply(events);
  expect(await store.listProgramYears()).toEqual(await expected.listProgramYears());
  expect(await store.regionBalances('sc-pension-contribution-subsidy', 2024)).toEqual(await expected.regionBalances('sc-pension-contribution-subsidy', 2024));
  expect(await store.listCollection('program-year')).toEqual([]);
  expect((await store.listCollection('other')).map((doc) => doc.id)).toEqual(['kept']);
  expect(await store.checkpoint('other')).toBe(9n);
}
