import type { Provider } from '@nestjs/common';
import type { Infrastructure } from '@earmark/runtime';
import { AUDIT_SETTINGS, auditSettingsFor, CheckpointService } from './checkpoint.service';

/** The signing key and checkpoint settings come from the configuration the store was opened with. */
export function auditProviders(infrastructure: Infrastructure): Provider[] {
  return [{ provide: AUDIT_SETTINGS, useFactory: () => auditSettingsFor(infrastructure.config) }, CheckpointService];
}
