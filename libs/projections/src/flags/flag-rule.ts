import type { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import type { Finding, FlagThresholds } from './flag.types';
import type { FundAudit } from './fund-audit-replay';

/** What every rule reads: the fund replayed up to `asOf`, and the refused attempts. */
export interface RuleContext {
  readonly audit: FundAudit;
  readonly refusalEvents: readonly RecordedEvent[];
  readonly registry: RegionRegistry;
  readonly asOf: string;
  readonly thresholds: FlagThresholds;
}

export type FlagRuleCheck = (context: RuleContext) => Finding[];
