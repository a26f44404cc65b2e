import { writeFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { LedgerSource } from '@earmark/application';
import { isCalendarDate, maxFiscalYear, minFiscalYear, programCodePattern } from '@earmark/domain';
import { buildLedgerReport, loadReportInput, renderReport, renderReportXlsx, reportFormats, type ReportFormat, type ReportLanguage } from '@earmark/reports';
import { ledgerModuleFor, loadConfig, openInfrastructure } from '@earmark/runtime';
import { option, parseArgs, requiredOption, UsageError } from '../args';

/**
 * `earmark report --program P --year Y --format md|csv|html|xlsx [--as-of YYYY-MM-DD] [--lang en|zh-CN] [--out FILE]`:
 * the program-year per region, with its flags, from the same read models, flag query and report
 * builder as HTTP. English unless `--lang zh-CN`; xlsx (always with --out) is the API's workbook.
 */
export async function runReport(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`report takes no word "${args.positional[0]}"`);
  const programCode = requiredOption(args, 'program');
  if (!programCodePattern.test(programCode)) throw new UsageError('--program must match ^[a-z0-9][a-z0-9-]{1,63}$');
  const yearText = requiredOption(args, 'year');
  const fiscalYear = /^[0-9]{4}$/.test(yearText) ? Number.parseInt(yearText, 10) : NaN;
  if (!(fiscalYear >= minFiscalYear && fiscalYear <= maxFiscalYear)) {
    throw new UsageError(`--year must be a year from ${minFiscalYear} to ${maxFiscalYear}`);
  }
  const format = requiredOption(args, 'format') as ReportFormat | 'xlsx';
  if (format !== 'xlsx' && !reportFormats.includes(format)) throw new UsageError(`--format must be one of ${reportFormats.join(', ')}, xlsx`);
  const language = (option(args, 'lang') ?? 'en') as ReportLanguage;
  if (language !== 'en' && language !== 'zh-CN') throw new UsageError('--lang must be en or zh-CN');
  const asOf = option(args, 'as-of') ?? null;
  if (asOf !== null && !isCalendarDate(asOf)) throw new UsageError('--as-of takes a real date written YYYY-MM-DD');
  const out = option(args, 'out');
  if (format === 'xlsx' && out === undefined) throw new UsageError('--format xlsx needs --out FILE');
  // Read before the store opens: a malformed threshold is a usage error, not a half-made report.
  const config = loadConfig();
  const thresholds = config.flagThresholds;

  const infrastructure = await openInfrastructure(config);
  @Module({ imports: [ledgerModuleFor(infrastructure)] })
  class ReportModule {}
  const context = await NestFactory.createApplicationContext(ReportModule, { logger: ['error', 'warn'] });
  try {
    const input = await loadReportInput(context.get(LedgerSource), context.get(QueryBus), { programCode, fiscalYear, asOf, thresholds });
    const report = buildLedgerReport(input);
    const body = format === 'xlsx' ? await renderReportXlsx(report, language) : renderReport(report, format, language);
    if (out === undefined) {
      process.stdout.write(body);
    } else {
      writeFileSync(out, body);
      process.stderr.write(`report written to ${out}\n`);
    }
    return 0;
  } finally {
    await context.close();
    await infrastructure.close();
  }
}
