import { writeFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { booksAt, everyRegionReader, GetFlagsQuery } from '@earmark/application';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, LedgerReadModels } from '@earmark/event-store';
import { programYearDocOf, regionBalanceDocOf, type FlagThresholds } from '@earmark/projections';
import { ledgerModuleFor } from '../../../api/src/app.module';
import { openInfrastructure } from '../../../api/src/bootstrap/infrastructure';
import { loadConfig } from '../../../api/src/config/earmark-config';
import { isCalendarDate, programCodePattern } from '../../../api/src/http/validation';
import { flagThresholdsFromEnv } from '../../../api/src/queries/audit-views.controller';
import { option, parseArgs, requiredOption, UsageError } from '../args';
import { buildLedgerReport, renderReport, reportFormats, type ReportFormat, type ReportInput } from './ledger-report';

/**
 * `earmark report --program P --year Y --format md|csv|html [--as-of YYYY-MM-DD] [--out FILE]`:
 * the program-year per region, with its flags, from the same read models and flag query as HTTP.
 */
export async function runReport(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`report takes no word "${args.positional[0]}"`);
  const programCode = requiredOption(args, 'program');
  if (!programCodePattern.test(programCode)) throw new UsageError('--program must match ^[a-z0-9][a-z0-9-]{1,63}$');
  const yearText = requiredOption(args, 'year');
  const fiscalYear = /^[0-9]{4}$/.test(yearText) ? Number.parseInt(yearText, 10) : NaN;
  if (!(fiscalYear >= 2000 && fiscalYear <= 2100)) throw new UsageError('--year must be a year from 2000 to 2100');
  const format = requiredOption(args, 'format') as ReportFormat;
  if (!reportFormats.includes(format)) throw new UsageError(`--format must be one of ${reportFormats.join(', ')}`);
  const asOf = option(args, 'as-of') ?? null;
  if (asOf !== null && !isCalendarDate(asOf)) throw new UsageError('--as-of takes a real date written YYYY-MM-DD');
  const out = option(args, 'out');
  // Read before the store opens: a malformed threshold is a usage error, not a half-made report.
  const thresholds = flagThresholdsFromEnv(process.env);

  const infrastructure = await openInfrastructure(loadConfig());
  @Module({ imports: [ledgerModuleFor(infrastructure)] })
  class ReportModule {}
  const context = await NestFactory.createApplicationContext(ReportModule, { logger: ['error', 'warn'] });
  try {
    const input = await loadReportInput(infrastructure, context.get(QueryBus), { programCode, fiscalYear, asOf, thresholds });
    const text = renderReport(buildLedgerReport(input), format);
    if (out === undefined) {
      process.stdout.write(text);
    } else {
      writeFileSync(out, text, 'utf8');
      process.stderr.write(`report written to ${out}\n`);
    }
    return 0;
  } finally {
    await context.close();
    await infrastructure.close();
  }
}

export interface ReportRequest {
  readonly programCode: string;
  readonly fiscalYear: number;
  /** YYYY-MM-DD: balances and flags as they stood at the end of that day; null for now. */
  readonly asOf: string | null;
  readonly thresholds: FlagThresholds;
}

/** The balances (live, or replayed to a date) and the flags of one program-year. */
export async function loadReportInput(
  source: { readonly store: EventStore; readonly readModels: LedgerReadModels; readonly registry: RegionRegistry },
  queryBus: QueryBus,
  request: ReportRequest,
): Promise<ReportInput> {
  const { programCode, fiscalYear, asOf } = request;
  const tables = asOf === null ? source.readModels : await booksAt(source.store, programCode, fiscalYear, { asOf });
  const programYearRow = await tables.programYear(programCode, fiscalYear);
  const programYear = programYearRow ? programYearDocOf(programYearRow, await tables.programDocuments(programCode, fiscalYear)) : null;
  const regions = (await tables.regionBalances(programCode, fiscalYear)).map(regionBalanceDocOf);
  if (programYear === null) throw new Error(`nothing recorded for ${programCode} in ${fiscalYear}${asOf === null ? '' : ` by ${asOf}`}`);
  const flags = await queryBus.execute(
    new GetFlagsQuery(programCode, fiscalYear, everyRegionReader, asOf ?? undefined, request.thresholds),
  );
  return {
    programYear,
    regions,
    flags,
    registry: source.registry,
    asOf,
  };
}
