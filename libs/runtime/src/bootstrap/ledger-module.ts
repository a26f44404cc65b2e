import type { DynamicModule } from '@nestjs/common';
import {
  CLOCK,
  defaultLedgerSettings,
  EVENT_STORE,
  ID_GENERATOR,
  LEDGER_SETTINGS,
  LedgerModule,
  READ_MODELS,
  REGION_REGISTRY,
  systemClock,
  uuidGenerator,
  type LedgerSettings,
} from '@earmark/application';
import type { Infrastructure } from './infrastructure';

/** The application's settings from the service's configuration. */
export function ledgerSettingsOf(config: Infrastructure['config']): LedgerSettings {
  return { ...defaultLedgerSettings, latePaymentGraceDays: config.latePaymentGraceDays, replayMaxFundEvents: config.replayMaxFundEvents };
}

export function ledgerModuleFor(
  infrastructure: Infrastructure,
  settings: LedgerSettings = ledgerSettingsOf(infrastructure.config),
): DynamicModule {
  return LedgerModule.register([
    { provide: EVENT_STORE, useValue: infrastructure.store },
    { provide: READ_MODELS, useValue: infrastructure.readModels },
    { provide: REGION_REGISTRY, useValue: infrastructure.registry },
    { provide: CLOCK, useValue: systemClock },
    { provide: ID_GENERATOR, useValue: uuidGenerator },
    { provide: LEDGER_SETTINGS, useValue: settings },
  ]);
}
