import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { failoverTables, summarise } from './postgres-failover-report';
import { defaultTrialSettings, runFailoverTrial, type TrialResult } from './postgres-failover-trial';

/**
 * PostgreSQL losing its primary (deploy/postgres-failover): a primary and a synchronous standby,
 * the service given both with target_session_attrs=read-write, the primary killed with SIGKILL in
 * the middle of a burst of payments and the standby promoted. Every acknowledged payment must be
 * in the new primary's log, none twice, and every payment must end acknowledged once the clients
 * have retried with their Idempotency-Keys. FAILOVER_TRIALS sets how many trials (2 here; `npm run
 * test:failover` runs 20), FAILOVER_JSON a file to write the results to. Prints the figures.
 */
const trials = Number(process.env.FAILOVER_TRIALS ?? 2);
const perTrialMs = 180_000;

describe('PostgreSQL losing its primary in the middle of a burst', () => {
  it(`${trials} trials: no acknowledged payment lost, none recorded twice, every payment acknowledged`, async () => {
    expect(Number.isInteger(trials) && trials >= 1).toBe(true);
    const results: TrialResult[] = [];
    for (let trial = 1; trial <= trials; trial += 1) {
      const result = await runFailoverTrial(trial);
      results.push(result);
      // Progress of a long run, one line a trial.
      process.stderr.write(
        `failover trial ${trial}/${trials}: ${result.inFlightAtKill} in flight at the kill, ${result.acknowledged}/${result.payments} acknowledged, lost ${result.lost}, duplicated ${result.duplicated}, recovered in ${result.recoveryMs} ms\n`,
      );
    }
    const summary = summarise(results);
    const report = {
      settings: defaultTrialSettings,
      machine: { cpus: cpus().length, loadavg: loadavg() },
      summary,
      trials: results,
    };
    process.stdout.write(`\n${failoverTables(results, summary)}\n\n${JSON.stringify(report)}\n`);
    if (process.env.FAILOVER_JSON) writeFileSync(process.env.FAILOVER_JSON, `${JSON.stringify(report, null, 2)}\n`);

    for (const result of results) {
      // The kill must have hit a burst under way, and the service must have served after it.
      expect(result.inFlightAtKill).toBeGreaterThan(0);
      expect(result.acknowledged - result.acknowledgedBeforeKill).toBeGreaterThan(0);
      expect(result.recoveryMs).toBeGreaterThan(0);
      expect(result.unfinishedAnswers).toEqual([]);
      expect(result.booksAgree).toBe(true);
    }
    expect({ lost: summary.lost, duplicated: summary.duplicated, unfinished: summary.unfinished }).toEqual({
      lost: 0,
      duplicated: 0,
      unfinished: 0,
    });
    expect(summary.acknowledged).toBe(summary.payments);
  }, trials * perTrialMs);
});
