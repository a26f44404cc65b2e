import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordDisbursement } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { FundCommandRunner, type CommandContext } from '../../src/command-runner';
import { RecordAllocationCommand, RecordAllocationHandler } from '../../src/commands/record-allocation.handler';
import { RecordDisbursementCommand, RecordDisbursementHandler } from '../../src/commands/record-disbursement.handler';
import { ReverseDisbursementCommand, ReverseDisbursementHandler } from '../../src/commands/reverse-disbursement.handler';
import { defaultLedgerSettings, type IdGenerator } from '../../src/ports';
import { lines, recordAllocation, recordDisbursement, registry } from '../../../domain/test/support/fund-spec';

/** The application's handlers over a real SQLite file in a temp dir, with a fixed clock and counted ids. */
export { fiscalYear, programCode, registry } from '../../../domain/test/support/fund-spec';
export const clock = { now: () => new Date('2024-06-01T02:00:00Z') };
export const finance: CommandContext['actor'] = { name: 'finance-sichuan', role: 'finance', regions: ['*'] };

export function countingIds(prefix: string): IdGenerator {
  let next = 0;
  return { newId: () => `${prefix}-${(next += 1)}` };
}

/** A second process on the same file is a second runner with its own in-memory fund states. */
export function runnerOver(store: EventStore, prefix: string) {
  const runner = new FundCommandRunner(store, registry, clock, countingIds(prefix), defaultLedgerSettings);
  const allocations = new RecordAllocationHandler(runner);
  const disbursements = new RecordDisbursementHandler(runner);
  const reversals = new ReverseDisbursementHandler(runner, store);
  return {
    runner,
    allocate: (ctx: CommandContext = { actor: finance }) =>
      allocations.execute(
        new RecordAllocationCommand(ctx, recordAllocation({ lines: lines(['510100', '1000000'], ['510300', '500000']) }).data),
      ),
    pay: (id: string, amountFen: string, ctx: CommandContext = { actor: finance }) =>
      disbursements.execute(new RecordDisbursementCommand(ctx, payment(id, amountFen))),
    reverse: (id: string, ctx: CommandContext = { actor: finance }) =>
      reversals.execute(new ReverseDisbursementCommand(ctx, { disbursementId: id, reason: 'paid twice', reversedOn: '2024-03-05' })),
  };
}

/** A beneficiary payment in 510100 (成都市), voucher V-<id>. */
export function payment(id: string, amountFen: string): RecordDisbursement['data'] {
  return recordDisbursement({ disbursementId: id, regionCode: '510100', amountFen }).data;
}

export const keyed = (key: string, requestHash: string): CommandContext => ({ actor: finance, idempotency: { key, requestHash } });

/** A store in a fresh temp dir, closed and removed by `remove`. */
export async function openTempStore(): Promise<{ store: SqliteEventStore; remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'earmark-application-'));
  const store = new SqliteEventStore({ file: join(dir, 'ledger.sqlite') });
  await store.init();
  return {
    store,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh store for each test of the calling describe block, handed to `use`, closed and removed after. */
export function freshStoreEachTest(use: (store: SqliteEventStore) => void): void {
  let remove: () => Promise<void>;
  beforeEach(async () => {
    const opened = await openTempStore();
    remove = opened.remove;
    use(opened.store);
  });
  afterEach(() => remove());
}
