import type { TrialResult } from './postgres-failover-trial';

export interface FailoverSummary {
  readonly trials: number;
  readonly payments: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unfinished: number;
  readonly recoveryMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly promoteMs: { readonly p50: number; readonly max: number };
}

/** Nearest-rank percentile of a non-empty list. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarise(results: readonly TrialResult[]): FailoverSummary {
  const total = (pick: (r: TrialResult) => number) => results.reduce((sum, r) => sum + pick(r), 0);
  const recovery = results.map((r) => r.recoveryMs);
  const promote = results.map((r) => r.promoteMs);
  return {
    trials: results.length,
    payments: total((r) => r.payments),
    acknowledged: total((r) => r.acknowledged),
    lost: total((r) => r.lost),
    duplicated: total((r) => r.duplicated),
    unfinished: total((r) => r.unfinished),
    recoveryMs: { p50: percentile(recovery, 50), p99: percentile(recovery, 99), max: Math.max(...recovery) },
    promoteMs: { p50: percentile(promote, 50), max: Math.max(...promote) },
  };
}

export function failoverTables(results: readonly TrialResult[], summary: FailoverSummary): string {
  const lines = [
    '| trial | payments | acknowledged | acked before kill | in flight at kill | lost | duplicated | unfinished | 503s | retries | promote ms | recovery ms | books agree |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${[r.trial, r.payments, r.acknowledged, r.acknowledgedBeforeKill, r.inFlightAtKill, r.lost, r.duplicated, r.unfinished, r.unavailableAnswers, r.retries, r.promoteMs, r.recoveryMs, r.booksAgree ? 'yes' : 'NO'].join(' | ')} |`,
    ),
    '',
    '| trials | payments | acknowledged | lost | duplicated | unfinished | recovery p50 | recovery p99 | recovery max | promote p50 |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${[
      summary.trials,
      summary.payments,
      summary.acknowledged,
      summary.lost,
      summary.duplicated,
      summary.unfinished,
      `${summary.recoveryMs.p50} ms`,
      `${summary.recoveryMs.p99} ms`,
      `${summary.recoveryMs.max} ms`,
      `${summary.promoteMs.p50} ms`,
    ].join(' | ')} |`,
  ];
  return lines.join('\n');
}
