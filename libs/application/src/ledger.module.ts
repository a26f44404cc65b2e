import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { FundCommandRunner } from './command-runner';
import { RecordAllocationHandler } from './commands/record-allocation.handler';
import { RecordDisbursementHandler } from './commands/record-disbursement.handler';
import { RecordPassDownHandler } from './commands/record-pass-down.handler';
import { RecordFlagActionHandler } from './commands/record-flag-action.handler';
import { ReverseDisbursementHandler } from './commands/reverse-disbursement.handler';
import { SettleRegionYearHandler } from './commands/settle-region-year.handler';
import { RecordPerformanceTargetsHandler, ReportPerformanceActualHandler } from './commands/performance.handlers';
import { LedgerSource, ledgerQueryHandlers, ProjectionWaiter, projectionWaiterProvider } from './queries/ledger.queries';
import { auditViewQueryHandlers } from './queries/audit-views.queries';

export const ledgerCommandHandlers = [
  RecordAllocationHandler,
  RecordDisbursementHandler,
  RecordPassDownHandler,
  ReverseDisbursementHandler,
  SettleRegionYearHandler,
  RecordPerformanceTargetsHandler,
  ReportPerformanceActualHandler,
  RecordFlagActionHandler,
];

/**
 * The application: command and query handlers over the ports. The composition root supplies the
 * ports (store, read models, registry, clock, ids, settings) as `infrastructure` providers.
 */
@Module({})
export class LedgerModule {
  static register(infrastructure: Provider[]): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      imports: [CqrsModule.forRoot()],
      providers: [...infrastructure, FundCommandRunner, projectionWaiterProvider(), ...ledgerCommandHandlers, ...ledgerQueryHandlers, ...auditViewQueryHandlers],
      exports: [...infrastructure, FundCommandRunner, ProjectionWaiter, LedgerSource, CqrsModule],
    };
  }
}
