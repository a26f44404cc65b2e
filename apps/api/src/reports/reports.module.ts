import { Module } from '@nestjs/common';
import { GetReportHandler } from '@earmark/reports';
import { ReportController } from './report.controller';

/** Report downloads; the ledger's ports come from the global LedgerModule. */
@Module({ controllers: [ReportController], providers: [GetReportHandler] })
export class ReportsModule {}
