import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { LedgerSettings } from '@earmark/application';
import { GetReportHandler } from '@earmark/reports';
import { ApiKeyRing, ledgerModuleFor, type Infrastructure } from '@earmark/runtime';
import { AuditController } from './audit/audit.controller';
import { auditProviders } from './audit/audit.providers';
import { AuthGuard } from './auth/auth.guard';
import { SessionController } from './auth/session.controller';
import { CommandsController } from './commands/commands.controller';
import { FlagActionsController } from './commands/flag-actions.controller';
import { DashboardController } from './dashboard/dashboard.controller';
import { DocumentsModule } from './documents/documents.module';
import { MinPositionInterceptor } from './http/min-position.interceptor';
import { UnknownQueryInterceptor } from './http/unknown-query.interceptor';
import { CheckpointerWatchService } from './ops/checkpointer-watch';
import { OPS_SETTINGS, opsSettingsOf } from './ops/ops-settings';
import { RateLimitGuard } from './ops/rate-limit.guard';
import { ProblemFilter } from './http/problem.filter';
import { AuditViewsController, FLAG_THRESHOLDS } from './queries/audit-views.controller';
import { HealthController } from './queries/health.controller';
import { QueriesController } from './queries/queries.controller';
import { ReportController } from './reports/report.controller';

@Module({})
export class AppModule {
  static register(infrastructure: Infrastructure, keys: ApiKeyRing, settings?: LedgerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [ledgerModuleFor(infrastructure, settings), DocumentsModule],
      controllers: [HealthController, CommandsController, QueriesController, DashboardController, AuditViewsController, AuditController, ReportController, FlagActionsController, SessionController],
      providers: [
        { provide: ApiKeyRing, useValue: keys },
        GetReportHandler,
        { provide: FLAG_THRESHOLDS, useValue: infrastructure.config.flagThresholds },
        { provide: OPS_SETTINGS, useValue: opsSettingsOf(infrastructure.config) },
        CheckpointerWatchService,
        // In this order: the rate limit counts only keys the AuthGuard accepted.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: UnknownQueryInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
        ...auditProviders(infrastructure),
      ],
    };
  }
}
