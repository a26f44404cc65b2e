import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BalanceReplay } from '@earmark/audit';
import { parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { JsonObject, RecordedEvent } from '@earmark/event-store';

/**
 * What the offline verifier's balance replay keeps as the log grows: one fund, one allocation,
 * then payments (one in a hundred reversed) fed straight into BalanceReplay, with no hashing or
 * file reading beside it. Prints the heap after a full collection at each size, and the bytes per
 * payment between sizes. Run with --expose-gc:
 *
 *   npm run build && node --expose-gc dist/tests/bench/balance-replay-memory.js 1000000
 */

const programCode = 'bench-fund';
const fiscalYear = 2024;
const streamName = `fund-${programCode}-${fiscalYear}`;
const mebibyte = 1024 * 1024;

function registry(): RegionRegistry {
  const path = join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv');
  return new RegionRegistry(parseRegionsTsv(readFileSync(path, 'utf8')));
}

function recorded(position: number, type: string, data: JsonObject): RecordedEvent {
  return {
    id: `e-${position}`,
    type,
    data,
    metadata: { actor: 'bench' },
    streamName,
    streamVersion: BigInt(position - 1),
    position: BigInt(position),
    recordedAt: '2024-03-01T02:00:00.000Z',
    hash: '',
    previousHash: '',
  };
}

/** A time-ordered id of the shape the ledger gives disbursements. */
function disbursementId(n: number): string {
  const hex = n.toString(16).padStart(20, '0');
  return `0190a1b2-${hex.slice(0, 4)}-7${hex.slice(4, 7)}-8${hex.slice(7, 10)}-${hex.slice(10, 20)}ab`;
}

function main(): void {
  const sizes = (process.argv[2] ?? '1000000').split(',').map(Number);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const replay = new BalanceReplay(registry());
  let position = 1;
  const fail = (reason: string | null) => {
    if (reason !== null) throw new Error(`position ${position}: ${reason}`);
  };
  fail(
    replay.apply(
      recorded(position, 'AllocationRecorded', {
        documentNo: '川财社〔2024〕2号',
        title: 'bench',
        kind: 'pre-allocation',
        programCode,
        programName: 'bench',
        fiscalYear,
        issuedOn: '2024-01-18',
        issuerRegionCode: '510000',
        incomeSubject: '1100299',
        expenditureSubject: '2083001',
        totalFen: '900000000000',
        lines: [{ regionCode: '510100', amountFen: '900000000000' }],
      }),
    ),
  );
  gc();
  const baseline = process.memoryUsage().heapUsed;
  console.log(`baseline heap ${(baseline / mebibyte).toFixed(1)} MiB`);
  let payments = 0;
  let last = { payments: 0, heap: baseline };
  for (const size of sizes) {
    while (payments < size) {
      payments += 1;
      position += 1;
      const data = {
        disbursementId: disbursementId(payments),
        programCode,
        fiscalYear,
        regionCode: '510100',
        kind: 'beneficiary-payment',
        amountFen: '10000',
        paidOn: '2024-03-01',
        voucherNo: `CD-2024-${payments.toString().padStart(8, '0')}`,
        expenditureSubject: '2083001',
        beneficiaries: 1,
        afterSettlement: false,
      };
      // Through JSON, as the export reader hands events over: flat strings, fresh per event.
      fail(replay.apply(recorded(position, 'DisbursementRecorded', JSON.parse(JSON.stringify(data)) as JsonObject)));
      if (payments % 100 === 0) {
        position += 1;
        const { beneficiaries: _b, expenditureSubject: _s, ...copy } = data;
        const reversal = JSON.parse(JSON.stringify({ ...copy, reason: 'bench', reversedOn: '2024-03-02' })) as JsonObject;
        fail(replay.apply(recorded(position, 'DisbursementReversed', reversal)));
      }
    }
    gc();
    const heap = process.memoryUsage().heapUsed;
    const perPayment = (heap - last.heap) / (payments - last.payments);
    console.log(
      `${payments} payments: heap ${(heap / mebibyte).toFixed(1)} MiB, rss ${(process.memoryUsage().rss / mebibyte).toFixed(1)} MiB, ` +
        `${perPayment.toFixed(0)} B per payment since ${last.payments}`,
    );
    last = { payments, heap };
  }
}

main();
