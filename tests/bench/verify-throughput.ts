import { createHash } from 'node:crypto';
import { verifyLedger } from '@earmark/audit';
import { canonicalJson, type RecordedEvent } from '@earmark/event-store';
import { loadRegistry } from '../../apps/api/src/bootstrap/infrastructure';
import { configFor } from './ledger-context';
import { openStoreWithoutProjections, type LedgerTask } from './rebuild-throughput';

export interface VerifyFigure {
  readonly store: LedgerTask['store'];
  readonly events: number;
  /** The yardstick: digest = SHA-256(previous digest ‖ the event's canonical JSON bytes), over every event in order. */
  readonly chainedSha256Seconds: number;
  readonly chainedSha256PerSecond: number;
  /** verifyLedger over the same events, held in memory as the offline verifier gets them from an export. */
  readonly verifySeconds: number;
  readonly verifyEventsPerSecond: number;
  /** The process's resident-set high-water mark, the loaded log included. */
  readonly maxRssMiB: number;
}

const readPageEvents = 5_000;
const mebibyte = 1024 * 1024;

/**
 * Offline verify beside raw chained SHA-256. The log is read from the store first, untimed; the
 * yardstick's canonical bytes are encoded untimed too, so that it is the hashing alone. verifyLedger
 * must find the generated log sound: anything else is a wrong answer.
 */
export async function benchVerify(task: LedgerTask): Promise<VerifyFigure> {
  const config = configFor(task);
  const store = openStoreWithoutProjections(task);
  const events: RecordedEvent[] = [];
  try {
    await store.init();
    for (let after = 0n; ; ) {
      const page = await store.readAll({ afterPosition: after, maxCount: readPageEvents });
      if (page.length === 0) break;
      for (const event of page) events.push(event);
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
  if (events.length !== task.events) throw new Error(`read ${events.length} events of ${task.events}`);

  let canonical: Buffer[] | null = events.map((event) =>
    Buffer.from(
      canonicalJson({
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        streamName: event.streamName,
        streamVersion: event.streamVersion.toString(),
        position: event.position.toString(),
        recordedAt: event.recordedAt,
      }),
      'utf8',
    ),
  );
  collectGarbage();
  let started = process.hrtime.bigint();
  let digest = Buffer.alloc(32);
  for (const bytes of canonical) digest = createHash('sha256').update(digest).update(bytes).digest();
  const chainedSha256Seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (digest.length !== 32) throw new Error('no digest');
  canonical = null;
  collectGarbage();

  started = process.hrtime.bigint();
  const report = verifyLedger({ events, registry: loadRegistry(config), latePaymentGraceDays: config.latePaymentGraceDays });
  const verifySeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!report.ok) throw new Error(`verifyLedger refused the generated log: ${report.reason ?? JSON.stringify(report.checks)}`);
  if (report.events !== events.length) throw new Error(`verifyLedger checked ${report.events} events of ${events.length}`);

  return {
    store: task.store,
    events: events.length,
    chainedSha256Seconds: Number(chainedSha256Seconds.toFixed(3)),
    chainedSha256PerSecond: Math.round(events.length / chainedSha256Seconds),
    verifySeconds: Number(verifySeconds.toFixed(2)),
    verifyEventsPerSecond: Math.round(events.length / verifySeconds),
    // resourceUsage() gives maxRSS in kibibytes.
    maxRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / mebibyte),
  };
}

/** The child runs with --expose-gc: start each timed part without the garbage of the last. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
