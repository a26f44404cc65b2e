import { parseYuan } from '@earmark/domain';
import { defaultFlagThresholds, type FlagThresholds } from '@earmark/projections';

/**
 * The thresholds the flags are measured against, from the environment, each optional:
 * EARMARK_FLAG_LATE_DAYS, EARMARK_FLAG_CLAWBACK_DAYS (whole days),
 * EARMARK_FLAG_ENROLMENT_MIN_PERCENT, EARMARK_FLAG_ON_TIME_MIN_PERCENT,
 * EARMARK_FLAG_SATISFACTION_MIN_PERCENT (0–100, up to two decimals; used only where a 市(州)'s
 * targets state no number) and EARMARK_FLAG_MIN_STANDARD_YUAN (元, the per-person standard when no
 * minimum-standard target is recorded). A malformed value stops the service at start-up rather
 * than flagging against a limit nobody meant.
 */
export function flagThresholdsFromEnv(env: Readonly<Record<string, string | undefined>>): FlagThresholds {
  const days = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!/^[0-9]{1,4}$/.test(value)) throw new Error(`${name} must be a whole number of days (0–9999), not "${value}"`);
    return Number.parseInt(value, 10);
  };
  const percent = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!/^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$/.test(value)) {
      throw new Error(`${name} must be a percentage from 0 to 100 with at most two decimals, not "${value}"`);
    }
    return Number(value);
  };
  const standard = env['EARMARK_FLAG_MIN_STANDARD_YUAN'];
  let minimumStandardFen = defaultFlagThresholds.minimumStandardFen;
  if (standard !== undefined && standard !== '') {
    minimumStandardFen = parseYuan(standard);
    if (minimumStandardFen === 0n) throw new Error('EARMARK_FLAG_MIN_STANDARD_YUAN must be more than 0');
  }
  return {
    latePassDownDays: days('EARMARK_FLAG_LATE_DAYS', defaultFlagThresholds.latePassDownDays),
    clawbackOpenDays: days('EARMARK_FLAG_CLAWBACK_DAYS', defaultFlagThresholds.clawbackOpenDays),
    enrolmentRateMinPercent: percent('EARMARK_FLAG_ENROLMENT_MIN_PERCENT', defaultFlagThresholds.enrolmentRateMinPercent),
    onTimeRateMinPercent: percent('EARMARK_FLAG_ON_TIME_MIN_PERCENT', defaultFlagThresholds.onTimeRateMinPercent),
    minimumStandardFen,
    satisfactionMinPercent: percent('EARMARK_FLAG_SATISFACTION_MIN_PERCENT', defaultFlagThresholds.satisfactionMinPercent),
  };
}
