import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { booksAt, type CommandOutcome } from '@earmark/application';
import { fenFromString, formatYuan } from '@earmark/domain';
import { NoticeImportError } from '@earmark/notice-import';
import { programYearDocOf, rebuildProjections, regionBalanceDocOf } from '@earmark/projections';
import { Module } from '@nestjs/common';
import {
  defaultProgramCode,
  describeNotice,
  importNotice,
  ledgerModuleFor,
  loadConfig,
  openInfrastructure,
  type Infrastructure,
} from '@earmark/runtime';
import { option, parseArgs, UsageError } from './args';
import { auditCommands } from './audit.commands';
import { keysCommands } from './keys.commands';
import { replayProgress } from './replay-progress';

const usage = `earmark <command>

  serve                                   run the HTTP service (what npm start runs)
  import <file> [--dry-run] [--program CODE]
                                          record an allocation notice (the seed's text form)
  replay [--as-of YYYY-MM-DD]             rebuild the projections from zero; with --as-of,
                                          print the books as they stood on that date
${keysCommands.usage}${auditCommands.usage}
Configuration comes from the environment: EARMARK_STORE, EARMARK_DATA_DIR, EARMARK_DATABASE_URL,
KURRENTDB_URL, EARMARK_KEYS_FILE, EARMARK_SIGNING_KEY_FILE, EARMARK_CHECKPOINT_EVERY,
EARMARK_CHECKPOINT_SECONDS (see the README).`;

/** Exit codes: 0 done, 1 refused or failed a check, 2 wrong usage or configuration. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      // The service is its own program (apps/api): the `earmark` launcher starts it, so that
      // neither app imports the other.
      throw new UsageError('serve is started by the earmark command (bin/earmark.js) or as node dist/apps/api/src/main.js');
    case 'import':
      return runImport(rest);
    case 'replay':
      return runReplay(rest);
    case 'keys':
      return runKeys(rest);
    case undefined:
      // No command is wrong usage: the usage goes to stderr and the exit code says so.
      process.stderr.write(`${usage}\n`);
      return 2;
    case 'help':
    case '--help':
      process.stdout.write(`${usage}\n`);
      return 0;
    default:
      if (auditCommands.names.includes(command)) return auditCommands.run(command, rest);
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Opens the configured store and the application's command bus, without HTTP. */
export async function withLedger<T>(work: (bus: CommandBus, infrastructure: Infrastructure) => Promise<T>): Promise<T> {
  const infrastructure = await openInfrastructure(loadConfig());
  @Module({ imports: [ledgerModuleFor(infrastructure)] })
  class CliModule {}
  const context = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    return await work(context.get(CommandBus), infrastructure);
  } finally {
    await context.close();
    await infrastructure.close();
  }
}

async function runImport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['dry-run']);
  const file = args.positional[0];
  if (!file) throw new UsageError('import needs a file');
  const text = readFileSync(file, 'utf8');
  const dryRun = args.options.has('dry-run');
  const programCode = option(args, 'program') ?? defaultProgramCode;
  try {
    return await withLedger(async (bus, infrastructure) => {
      const outcome = await importNotice(bus, infrastructure.registry, text, { programCode, dryRun });
      for (const warning of outcome.parsed.warnings) process.stdout.write(`warning: line ${warning.line}: ${warning.message}\n`);
      process.stdout.write(`${describeNotice(outcome.parsed)}${dryRun ? ' (dry run: nothing recorded)' : ''}\n`);
      if (outcome.allocation?.kind === 'refused') return reportRefusal(outcome.allocation);
      if (outcome.allocation) process.stdout.write(`recorded at position ${String(outcome.allocation.body['position'])}\n`);
      return 0;
    });
  } catch (error) {
    if (error instanceof NoticeImportError) {
      process.stderr.write(`${error.message}\nnothing was recorded\n`);
      return 1;
    }
    throw error;
  }
}

/** A refusal by its code: HTTP statuses are the API's, not the command line's. */
function reportRefusal(outcome: Extract<CommandOutcome, { kind: 'refused' }>): number {
  process.stderr.write(`refused, ${outcome.code}: ${outcome.detail}\nnothing was recorded\n`);
  return 1;
}

async function runReplay(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const asOf = option(args, 'as-of');
  const infrastructure = await openInfrastructure(loadConfig());
  try {
    if (asOf === undefined) {
      const progress = replayProgress(process.stderr, await infrastructure.store.headPosition());
      const report = await rebuildProjections(infrastructure.store, infrastructure.readModels, infrastructure.projections, (position) =>
        progress.update(position),
      );
      progress.done();
      const perSecond = report.elapsedMs > 0 ? Math.round((report.events * 1000) / report.elapsedMs) : report.events;
      process.stdout.write(`rebuilt projections from ${report.events} events through position ${report.lastPosition} in ${report.elapsedMs} ms (${perSecond} events/s)\n`);
      return 0;
    }
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(asOf)) throw new UsageError('--as-of takes YYYY-MM-DD');
    const programs = await infrastructure.readModels.listProgramYears();
    for (const program of programs) {
      const tables = await booksAt(infrastructure.store, program.programCode, program.fiscalYear, { asOf });
      const thenRow = tables.programYearNow(program.programCode, program.fiscalYear);
      const then = thenRow ? programYearDocOf(thenRow, []) : undefined;
      process.stdout.write(`\n${program.programCode} ${program.fiscalYear} as of ${asOf}\n`);
      if (!then) {
        process.stdout.write('  nothing recorded yet\n');
        continue;
      }
      const y = (fen: string) => formatYuan(fenFromString(fen)).padStart(16);
      process.stdout.write(`  allocated ${y(then.allocatedFen)}  paid ${y(then.paidFen)}  returned ${y(then.returnedFen)}  available ${y(then.availableFen)}\n`);
      process.stdout.write(`  ${'region'.padEnd(8)}${'allocated'.padStart(16)}${'received'.padStart(16)}${'passed down'.padStart(16)}${'paid'.padStart(16)}${'returned'.padStart(16)}${'available'.padStart(16)}\n`);
      for (const region of tables.regionBalancesNow(program.programCode, program.fiscalYear).map(regionBalanceDocOf)) {
        process.stdout.write(
          `  ${region.regionCode.padEnd(8)}${y(region.allocatedFen)}${y(region.receivedFen)}${y(region.passedDownFen)}${y(region.paidFen)}${y(region.returnedFen)}${y(region.availableFen)}\n`,
        );
      }
    }
    return 0;
  } finally {
    await infrastructure.close();
  }
}

async function runKeys(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'signing') return auditCommands.run('keys', argv);
  return keysCommands.run(sub, rest);
}

/** Runs the CLI and exits with its code. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`earmark: ${(error as Error).message}\n`);
      if (error instanceof UsageError) process.stderr.write(`\n${usage}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
