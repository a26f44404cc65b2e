import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventLeaf, generateSigningKey, MerkleRootBuilder, openExport, signCheckpoint, verifyLedgerStream, writeExport } from '@earmark/audit';
import { canonicalEventBytes } from '@earmark/event-store';
import { configFor } from './ledger-context';
import { openStoreWithoutProjections, type LedgerTask } from './rebuild-throughput';
import { loadRegistry, readLog, readLogPages } from '@earmark/runtime';

export interface VerifyFigure {
  readonly store: LedgerTask['store'];
  readonly events: number;
  /** The yardstick: digest = SHA-256(previous digest ‖ the event's canonical JSON bytes), over every event in order. */
  readonly chainedSha256Seconds: number;
  readonly chainedSha256PerSecond: number;
  /**
   * verifyLedgerStream over an export of the same log, signed, read line by line as
   * `earmark verify --file` reads it: reading and parsing the file included.
   */
  readonly verifySeconds: number;
  readonly verifyEventsPerSecond: number;
  /** Reading and parsing the same export alone, in the same pages: the part of verifySeconds that is not checking. */
  readonly readExportSeconds: number;
  /** The process's resident-set high-water mark when the verification ends, before the yardstick runs. */
  readonly maxRssMiB: number;
}

const mebibyte = 1024 * 1024;
const exportFileName = 'verify-bench.jsonl';

/**
 * Offline verify beside raw chained SHA-256. The store's log is exported to a file first, untimed,
 * with a checkpoint over all of it, so that the verifier runs every check as an auditor's would.
 * The yardstick walks the same file a page at a time and times only the hashing: each page's
 * canonical bytes are encoded outside the clock. Nothing holds the whole log, so the resident set
 * says what the verifier needs. verifyLedgerStream must find the generated log sound: anything
 * else is a wrong answer.
 */
export async function benchVerify(task: LedgerTask): Promise<VerifyFigure> {
  const config = configFor(task);
  const path = join(task.dataDir, exportFileName);
  const key = generateSigningKey();
  const store = openStoreWithoutProjections(task);
  try {
    await store.init();
    const root = new MerkleRootBuilder();
    for await (const page of readLogPages(store)) {
      for (const event of page) root.append(eventLeaf(event));
    }
    if (root.size !== task.events) throw new Error(`read ${root.size} events of ${task.events}`);
    const checkpoint = signCheckpoint(
      { treeSize: root.size, rootHash: root.root().toString('hex'), issuedAt: new Date().toISOString() },
      key.privateKeyPem,
    );
    await writeExport(path, { events: readLog(store), eventCount: root.size, checkpoint, publicKeyPem: key.publicKeyPem });
  } finally {
    await store.close();
  }

  try {
    const registry = loadRegistry(config);
    collectGarbage();
    let started = process.hrtime.bigint();
    const opened = await openExport(path);
    const report = await verifyLedgerStream(opened.pages(), {
      checkpoint: opened.checkpoint,
      publicKeyPem: key.publicKeyPem,
      registry,
      latePaymentGraceDays: config.latePaymentGraceDays,
    });
    const verifySeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // resourceUsage() gives maxRSS in kibibytes.
    const maxRssMiB = Math.round((process.resourceUsage().maxRSS * 1024) / mebibyte);
    if (!report.ok) throw new Error(`verifyLedgerStream refused the generated log: ${report.reason ?? JSON.stringify(report.checks)}`);
    if (report.events !== task.events) throw new Error(`verifyLedgerStream checked ${report.events} events of ${task.events}`);
    if (report.checks.signature !== 'passed') throw new Error(`the checkpoint was not checked: ${JSON.stringify(report.checks)}`);

    collectGarbage();
    started = process.hrtime.bigint();
    let read = 0;
    for await (const page of (await openExport(path)).pages()) read += page.length;
    const readExportSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (read !== task.events) throw new Error(`read ${read} events of ${task.events} from the export`);

    collectGarbage();
    let hashingNs = 0n;
    let hashed = 0;
    let digest = Buffer.alloc(32);
    for await (const page of (await openExport(path)).pages()) {
      // The very bytes the ledger hashes for each event.
      const canonical = page.map((event) => canonicalEventBytes(event, event.previousHash));
      started = process.hrtime.bigint();
      for (const bytes of canonical) digest = createHash('sha256').update(digest).update(bytes).digest();
      hashingNs += process.hrtime.bigint() - started;
      hashed += canonical.length;
    }
    const chainedSha256Seconds = Number(hashingNs) / 1e9;
    if (hashed !== task.events || digest.length !== 32) throw new Error(`hashed ${hashed} events of ${task.events}`);

    return {
      store: task.store,
      events: task.events,
      chainedSha256Seconds: Number(chainedSha256Seconds.toFixed(3)),
      chainedSha256PerSecond: Math.round(task.events / chainedSha256Seconds),
      verifySeconds: Number(verifySeconds.toFixed(2)),
      verifyEventsPerSecond: Math.round(task.events / verifySeconds),
      readExportSeconds: Number(readExportSeconds.toFixed(2)),
      maxRssMiB,
    };
  } finally {
    rmSync(path, { force: true });
  }
}


/** The child runs with --expose-gc: start each timed part without the garbage of the last. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
