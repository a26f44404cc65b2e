import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { RecordDisbursementCommand, type CommandContext } from '@earmark/application';
import { fenFromString } from '@earmark/domain';
import { canonicalJson, type JsonValue } from '@earmark/event-store';
import { collections, fundKey, type ProgramYearDoc } from '@earmark/projections';
import { ledgerModuleFor } from '../../apps/api/src/app.module';
import { openInfrastructure } from '../../apps/api/src/bootstrap/infrastructure';
import { defaultProgramCode, importNotice } from '../../apps/api/src/bootstrap/notice-importer';
import { loadConfig, type StoreChoice } from '../../apps/api/src/config/earmark-config';

export interface CommandBenchTask {
  readonly store: StoreChoice;
  /** A fresh data dir (SQLite) or throwaway database (PostgreSQL), seeded by the bench. */
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly concurrency: number;
  readonly commands: number;
}

export interface CommandFigure {
  readonly store: StoreChoice;
  readonly concurrency: number;
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  /** Latency of one CommandBus.execute, queueing behind the fund's other commands included. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const fiscalYear = 2024;
/** 1.00 元: small enough that 93 regions cover any run many times over. */
const paymentFen = 100n;
const paidOn = '2024-06-30';
/** Untimed commands first, so that the figure is not the JIT compiler's. */
const warmUpShare = 0.1;
const maxWarmUpCommands = 2_000;

const benchActor: CommandContext['actor'] = { name: 'bench-finance', role: 'finance', regions: ['*'] };

/**
 * Beneficiary payments through the real command bus (no HTTP), as the CLI builds it: the store
 * with its inline ledger projection, the seed notice imported first. `concurrency` callers each
 * execute one command at a time; each payment has its own voucher and idempotency key and goes to
 * the next of the 93 funded regions in turn.
 */
export async function benchCommands(task: CommandBenchTask): Promise<CommandFigure> {
  const config = loadConfig({
    EARMARK_STORE: task.store,
    EARMARK_DATA_DIR: task.dataDir,
    ...(task.databaseUrl ? { EARMARK_DATABASE_URL: task.databaseUrl } : {}),
  });
  const infrastructure = await openInfrastructure(config);
  @Module({ imports: [ledgerModuleFor(infrastructure)] })
  class BenchModule {}
  const context = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  try {
    const bus = context.get(CommandBus);
    if (!config.seedNotice) throw new Error('the bench needs the seed notice');
    const imported = await importNotice(bus, infrastructure.registry, readFileSync(config.seedNotice, 'utf8'), {
      programCode: defaultProgramCode,
      dryRun: false,
    });
    if (imported.allocation?.status !== 201) throw new Error(`seed import answered ${imported.allocation?.status}`);
    const regions = imported.parsed.allocation.lines.map((line) => line.regionCode);
    const expenditureSubject = imported.parsed.allocation.expenditureSubject;

    let issued = 0;
    const execute = async (n: number): Promise<void> => {
      const input = {
        disbursementId: randomUUID(),
        programCode: defaultProgramCode,
        fiscalYear,
        regionCode: regions[n % regions.length],
        kind: 'beneficiary-payment' as const,
        amountFen: paymentFen.toString(),
        paidOn,
        voucherNo: `BENCH-${task.concurrency}-${n}`,
        expenditureSubject,
        beneficiaries: 1,
      };
      const key = `bench-${task.concurrency}-${n}`;
      const requestHash = createHash('sha256').update(canonicalJson(input as unknown as JsonValue)).digest('hex');
      const outcome = await bus.execute(new RecordDisbursementCommand({ actor: benchActor, idempotency: { key, requestHash } }, input));
      if (outcome.status !== 201) throw new Error(`command ${n} answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
      issued += 1;
    };
    const run = async (count: number, latenciesMs: number[] | null): Promise<void> => {
      let next = issued;
      const last = issued + count;
      await Promise.all(
        Array.from({ length: task.concurrency }, async () => {
          while (next < last) {
            const n = next;
            next += 1;
            const before = process.hrtime.bigint();
            await execute(n);
            latenciesMs?.push(Number(process.hrtime.bigint() - before) / 1e6);
          }
        }),
      );
    };

    await run(Math.min(maxWarmUpCommands, Math.ceil(task.commands * warmUpShare)), null);
    const latenciesMs: number[] = [];
    const started = process.hrtime.bigint();
    await run(task.commands, latenciesMs);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // The inline projection saw every payment: the books must say so, to the 分.
    const programYear = await infrastructure.readModels.getDoc(collections.programYear, fundKey(defaultProgramCode, fiscalYear));
    const paidFen = fenFromString((programYear?.doc as ProgramYearDoc | undefined)?.paidFen ?? '0');
    if (paidFen !== BigInt(issued) * paymentFen) throw new Error(`the books show ${paidFen} 分 paid after ${issued} payments`);

    latenciesMs.sort((a, b) => a - b);
    const percentile = (p: number): number => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * p))] ?? 0;
    return {
      store: task.store,
      concurrency: task.concurrency,
      commands: task.commands,
      seconds: round(seconds, 2),
      commandsPerSecond: Math.round(task.commands / seconds),
      p50Ms: round(percentile(0.5), 2),
      p99Ms: round(percentile(0.99), 2),
    };
  } finally {
    await context.close();
    await infrastructure.close();
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
