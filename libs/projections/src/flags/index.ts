export * from './flag.types';
export * from './compute-flags';
export { effectiveDateOf } from './calendar';
export { FundAuditFold, type FundAudit } from './fund-audit-replay';
export { concatenated, FundJudge, flagSegments, type FlagSegment } from './fund-judge';
