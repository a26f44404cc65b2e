import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
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
import { AuditController } from './audit/audit.controller';
import { auditProviders } from './audit/audit.providers';
import { ApiKeyRing } from './auth/api-keys';
import { AuthGuard } from './auth/auth.guard';
import type { Infrastructure } from './bootstrap/infrastructure';
import { CommandsController } from './commands/commands.controller';
import { DashboardController } from './dashboard/dashboard.controller';
import { DocumentsModule } from './documents/documents.module';
import { MinPositionInterceptor } from './http/min-position.interceptor';
import { ProblemFilter } from './http/problem.filter';
import { AuditViewsController } from './queries/audit-views.controller';
import { HealthController } from './queries/health.controller';
import { QueriesController } from './queries/queries.controller';
import { ReportsModule } from './reports/reports.module';

/** The application's settings from the service's configuration. */
export function ledgerSettingsOf(config: Infrastructure['config']): LedgerSettings {
  return { ...defaultLedgerSettings, latePaymentGraceDays: config.latePaymentGraceDays };
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

@Module({})
export class AppModule {
  static register(infrastructure: Infrastructure, keys: ApiKeyRing, settings?: LedgerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [ledgerModuleFor(infrastructure, settings), ReportsModule, DocumentsModule],
      controllers: [HealthController, CommandsController, QueriesController, DashboardController, AuditViewsController, AuditController],
      providers: [
        { provide: ApiKeyRing, useValue: keys },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
        ...auditProviders(infrastructure),
      ],
    };
  }
}
