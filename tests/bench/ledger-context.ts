import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { everyRegionReader, GetProgramYearQuery } from '@earmark/application';
import { formatYuan } from '@earmark/domain';
import { ledgerModuleFor, loadConfig, openInfrastructure, type Infrastructure, type StoreChoice } from '@earmark/runtime';

/** Where a measurement's store lives: a fresh data dir (SQLite) or a throwaway database (PostgreSQL). */
export interface StorePlace {
  readonly store: StoreChoice;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
}

export const benchFiscalYear = 2024;

export interface LedgerContext {
  readonly infrastructure: Infrastructure;
  readonly commandBus: CommandBus;
  readonly queryBus: QueryBus;
  close(): Promise<void>;
}

export function configFor(place: StorePlace, extra: Record<string, string> = {}) {
  return loadConfig({
    EARMARK_STORE: place.store,
    EARMARK_DATA_DIR: place.dataDir,
    ...(place.databaseUrl ? { EARMARK_DATABASE_URL: place.databaseUrl } : {}),
    // To compare SQLite's writers, or its checkpoints, in one build: EARMARK_SQLITE_WRITER=thread
    // or EARMARK_SQLITE_CHECKPOINTS=inline npm run bench.
    ...(process.env.EARMARK_SQLITE_WRITER ? { EARMARK_SQLITE_WRITER: process.env.EARMARK_SQLITE_WRITER } : {}),
    ...(process.env.EARMARK_SQLITE_CHECKPOINTS ? { EARMARK_SQLITE_CHECKPOINTS: process.env.EARMARK_SQLITE_CHECKPOINTS } : {}),
    ...extra,
  });
}

/** The store with its inline projections and the command and query buses, as the CLI builds them (no HTTP). */
export async function openLedgerContext(place: StorePlace): Promise<LedgerContext> {
  const infrastructure = await openInfrastructure(configFor(place));
  let context: INestApplicationContext;
  try {
    @Module({ imports: [ledgerModuleFor(infrastructure)] })
    class BenchModule {}
    context = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  } catch (error) {
    await infrastructure.close();
    throw error;
  }
  return {
    infrastructure,
    commandBus: context.get(CommandBus),
    queryBus: context.get(QueryBus),
    close: async () => {
      await context.close();
      await infrastructure.close();
    },
  };
}

/** The program-year's books, read through the query bus, must show exactly `paidFen` paid. */
export async function expectPaid(queryBus: QueryBus, programCode: string, paidFen: bigint): Promise<void> {
  const totals = await queryBus.execute(new GetProgramYearQuery(programCode, benchFiscalYear, everyRegionReader));
  const expected = formatYuan(paidFen);
  if (totals.paid !== expected) throw new Error(`the books of ${programCode} show ${totals.paid} 元 paid, not ${expected}`);
}

/** Opens the store, checks what each fund paid (分, decimal strings), closes it. */
export async function checkPaid(place: StorePlace, paidFenByProgram: Record<string, string>): Promise<void> {
  const ledger = await openLedgerContext(place);
  try {
    for (const [programCode, paidFen] of Object.entries(paidFenByProgram)) await expectPaid(ledger.queryBus, programCode, BigInt(paidFen));
  } finally {
    await ledger.close();
  }
}
