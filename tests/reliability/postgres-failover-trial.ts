import { rmSync } from 'node:fs';
import { parseYuan } from '@earmark/domain';
import { PostgresPair } from '../support/postgres-pair';
import { ServerProcess } from '../support/server-process';
import { payment, program, year } from '../support/test-app';

/** The finance keys of tests/support/test-app.ts and the city each pays in. */
const payers = [
  { key: 'cd', region: '510100' },
  { key: 'zg', region: '510300' },
  { key: 'pzh', region: '510400' },
] as const;

export interface TrialSettings {
  /** Clients sending at once, each one payment after another. */
  readonly clients: number;
  readonly paymentsPerClient: number;
  /** The primary is killed once this many payments were acknowledged. */
  readonly killAfterAcknowledged: number;
  /** Between a 503 (or a refused connection) and the retry with the same Idempotency-Key. */
  readonly retryDelayMs: number;
  /** A payment still unanswered with a 2xx after retrying this long is counted as not finished. */
  readonly giveUpAfterMs: number;
  /** Past this, from the first payment, every client stops retrying: a service that died fails the trial quickly. */
  readonly burstDeadlineMs: number;
}

export const defaultTrialSettings: TrialSettings = {
  clients: 8,
  // Long enough that the burst is still going when the kill lands: with 40 a client, a faster
  // append path once finished all 320 payments in the moments the kill script took to start.
  paymentsPerClient: 80,
  killAfterAcknowledged: 100,
  retryDelayMs: 50,
  giveUpAfterMs: 60_000,
  burstDeadlineMs: 120_000,
};

export interface TrialResult {
  readonly trial: number;
  readonly payments: number;
  /** Payments answered 201, every one of them sooner or later (retries included). */
  readonly acknowledged: number;
  /** Answered 201 before the kill. */
  readonly acknowledgedBeforeKill: number;
  /**
   * Requests under way while the primary was killed: sent by the time the kill was over, answered
   * after it began. Times are whole milliseconds, and the 8 clients' requests go in one group
   * commit and are answered together, so requiring a request to span the whole kill would count
   * none when the kill fell in the same millisecond as a batch's answers.
   */
  readonly inFlightAtKill: number;
  /** Acknowledged payments the new primary's log does not hold: must be 0. */
  readonly lost: number;
  /**
   * Payments recorded more than once, plus retries refused as `duplicate-voucher` (the first
   * attempt committed, and its key was not recognised): must be 0.
   */
  readonly duplicated: number;
  /** Payments answered otherwise than 201, or never answered within giveUpAfterMs. */
  readonly unfinished: number;
  readonly unfinishedAnswers: readonly string[];
  readonly retries: number;
  /** 503 answers: the service reporting the store unavailable while the primary was gone. */
  readonly unavailableAnswers: number;
  /** Requests that got no HTTP answer at all (the service should always answer). */
  readonly connectionErrors: number;
  /** From the kill to `pg_ctl promote` returning (it polls: the standby may take writes a little sooner). */
  readonly promoteMs: number;
  /** From the kill to the first 201 answering a request sent after it: the service has recovered. */
  readonly recoveryMs: number;
  /** The service's balances after the trial equal the payments in the log, city by city. */
  readonly booksAgree: boolean;
}

interface Attempt {
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number | 'no-answer';
  readonly code?: string;
}

interface Failover {
  readonly fromMs: number;
  readonly toMs: number;
  readonly promoteMs: number;
}

interface PaymentRecord {
  readonly voucherNo: string;
  readonly key: string;
  readonly region: string;
  readonly attempts: Attempt[];
  final: Attempt | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One trial: a fresh pair, the service on it, a burst of payments from several clients, the
 * primary killed with SIGKILL once `killAfterAcknowledged` were acknowledged, the standby
 * promoted, the clients retrying (same Idempotency-Key) until every payment is answered; then the
 * new primary's log is read directly and held against what the clients were told.
 */
export async function runFailoverTrial(trial: number, settings: TrialSettings = defaultTrialSettings): Promise<TrialResult> {
  const pair = await PostgresPair.up();
  let server: ServerProcess | null = null;
  try {
    server = await ServerProcess.create({ EARMARK_STORE: 'postgres', EARMARK_DATABASE_URL: pair.serviceUrl });
    await server.start();
    const service = server;
    const paidBefore = await paidByRegion(service);

    const records: PaymentRecord[] = [];
    let acknowledged = 0;
    let failover: Promise<Failover> | null = null;

    const failOver = async (): Promise<Failover> => {
      const killed = await pair.killPrimary();
      await pair.promoteStandby();
      return { ...killed, promoteMs: Date.now() - killed.fromMs };
    };

    const burstDeadline = Date.now() + settings.burstDeadlineMs;
    const send = async (record: PaymentRecord): Promise<void> => {
      const deadline = Math.min(Date.now() + settings.giveUpAfterMs, burstDeadline);
      const body = payment(record.region, '1.00', record.voucherNo, { beneficiaries: 1 });
      const payer = payers.find((p) => p.region === record.region)!;
      for (;;) {
        const sentAt = Date.now();
        let attempt: Attempt;
        try {
          const answer = await service.call('POST', '/v1/disbursements', body, payer.key, record.key);
          attempt = { sentAt, answeredAt: Date.now(), status: answer.status, code: answer.body?.code };
        } catch {
          attempt = { sentAt, answeredAt: Date.now(), status: 'no-answer' };
        }
        record.attempts.push(attempt);
        const retryable = attempt.status === 503 || attempt.status === 'no-answer';
        if (!retryable || Date.now() >= deadline) {
          record.final = attempt;
          if (attempt.status === 201) {
            acknowledged += 1;
            if (acknowledged === settings.killAfterAcknowledged && failover === null) {
              failover = failOver();
              // Awaited once the clients are done; until then a failure must not count as unhandled.
              failover.catch(() => undefined);
            }
          }
          return;
        }
        await sleep(settings.retryDelayMs);
      }
    };

    const clients = Array.from({ length: settings.clients }, async (_, client) => {
      const region = payers[client % payers.length].region;
      for (let i = 0; i < settings.paymentsPerClient; i += 1) {
        const record: PaymentRecord = {
          voucherNo: `FO-${trial}-${client}-${i}`,
          key: `failover-${trial}-${client}-${i}`,
          region,
          attempts: [],
          final: null,
        };
        records.push(record);
        await send(record);
      }
    });
    await Promise.all(clients);
    if (failover === null) throw new Error(`trial ${trial}: the burst ended before ${settings.killAfterAcknowledged} payments were acknowledged`);
    // The kill landed between fromMs and toMs: what overlaps them was in flight, what was sent after
    // toMs can only have been served by the promoted standby, and recovery is counted from fromMs.
    const { fromMs, toMs, promoteMs } = await (failover as Promise<Failover>);

    // The new primary's log, read without the service: what is there, and how many times.
    const rows = await pair.sql<{ data: string }>(
      pair.standbyPort,
      'earmark',
      `SELECT data FROM events WHERE type = 'DisbursementRecorded' AND data LIKE '%"voucherNo":"FO-${trial}-%'`,
    );
    const recordedTimes = new Map<string, number>();
    for (const row of rows) {
      const voucherNo = (JSON.parse(row.data) as { voucherNo: string }).voucherNo;
      recordedTimes.set(voucherNo, (recordedTimes.get(voucherNo) ?? 0) + 1);
    }
    const acked = records.filter((record) => record.final?.status === 201);
    const lost = acked.filter((record) => !recordedTimes.has(record.voucherNo)).length;
    const recordedTwice = [...recordedTimes.values()].filter((times) => times > 1).length;
    const refusedAsDuplicate = records.filter((record) => record.final?.code === 'duplicate-voucher').length;
    const unfinished = records.filter((record) => record.final?.status !== 201);

    const attempts = records.flatMap((record) => record.attempts);
    const firstAfter = attempts
      .filter((attempt) => attempt.status === 201 && attempt.sentAt > toMs)
      .reduce((first, attempt) => Math.min(first, attempt.answeredAt), Infinity);

    const paidAfter = await paidByRegion(service);
    const booksAgree = payers.every(({ region }) => {
      const recordedHere = records.filter((record) => record.region === region && recordedTimes.has(record.voucherNo)).length;
      return paidAfter.get(region)! - paidBefore.get(region)! === BigInt(recordedHere) * 100n;
    });

    return {
      trial,
      payments: records.length,
      acknowledged: acked.length,
      acknowledgedBeforeKill: attempts.filter((attempt) => attempt.status === 201 && attempt.answeredAt < fromMs).length,
      inFlightAtKill: attempts.filter((attempt) => attempt.sentAt <= toMs && attempt.answeredAt >= fromMs).length,
      lost,
      duplicated: recordedTwice + refusedAsDuplicate,
      unfinished: unfinished.length,
      unfinishedAnswers: unfinished.slice(0, 5).map((record) => `${record.key}: ${record.final?.status} ${record.final?.code ?? ''}`.trim()),
      retries: attempts.length - records.length,
      unavailableAnswers: attempts.filter((attempt) => attempt.status === 503).length,
      connectionErrors: attempts.filter((attempt) => attempt.status === 'no-answer').length,
      promoteMs,
      recoveryMs: Number.isFinite(firstAfter) ? firstAfter - fromMs : -1,
      booksAgree,
    };
  } catch (error) {
    const output = server?.output.slice(-4_000) ?? '';
    throw new Error(`trial ${trial} failed: ${(error as Error).message}${output ? `\nservice output:\n${output}` : ''}`);
  } finally {
    await server?.kill();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
    await pair.down();
  }
}

/** Paid so far per city, in 分, as the service's read model says. */
async function paidByRegion(server: ServerProcess): Promise<Map<string, bigint>> {
  const paid = new Map<string, bigint>();
  for (const { region } of payers) {
    const answer = await server.call('GET', `/v1/programs/${program}/years/${year}/regions/${region}`);
    if (answer.status !== 200) throw new Error(`balance of ${region}: ${answer.status} ${JSON.stringify(answer.body)}`);
    paid.set(region, parseYuan(answer.body.paid as string));
  }
  return paid;
}
