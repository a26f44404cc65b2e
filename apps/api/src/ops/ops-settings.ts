import type { EarmarkConfig } from '@earmark/runtime';

/** What the operational parts of the HTTP service (limits, readiness, logs) read from the configuration. */
export interface OpsSettings {
  readonly rateLimitPerMinute: number | null;
  readonly readyMaxLagEvents: number;
  readonly logFormat: 'json' | 'pretty';
}

export const OPS_SETTINGS = Symbol('OPS_SETTINGS');

export function opsSettingsOf(config: EarmarkConfig): OpsSettings {
  return { rateLimitPerMinute: config.rateLimitPerMinute, readyMaxLagEvents: config.readyMaxLagEvents, logFormat: config.logFormat };
}
