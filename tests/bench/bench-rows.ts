import { formatNumber, row, type BenchRow } from './bench-report';
import type { BenchSizes } from './bench-sizes';
import type { CommandFigure } from './command-throughput';
import type { HttpFigure } from './http-throughput';
import type { QueryFigure } from './query-latency';
import type { RawPostgresFigure, RawSqliteFigure } from './raw-commits';
import type { GeneratedLedger, RebuildFigure, ScanFigure } from './rebuild-throughput';
import type { VerifyFigure } from './verify-throughput';
import type { StoreChoice } from '@earmark/runtime';

/** Everything one run measured, as written to the JSON; the table is derived from it alone. */
export interface BenchDetails {
  sqlite?: SqliteDetails;
  postgres?: PostgresDetails;
  verify?: VerifyFigure;
}

export interface LedgerDetails {
  readonly generated: GeneratedLedger;
  readonly scan: ScanFigure;
  readonly rebuild: RebuildFigure;
}

interface StoreDetails {
  /** The generated log at full size, and at the size flatness compares it with. */
  readonly ledger: LedgerDetails;
  readonly flatness: LedgerDetails;
  /** Over HTTP, on the full-size log once rebuilt. */
  readonly queries: QueryFigure[];
}

export interface SqliteDetails extends StoreDetails {
  readonly rawCommits: RawSqliteFigure;
  readonly concurrency64: CommandFigure;
  readonly concurrency1: CommandFigure;
  readonly http: { readonly service: HttpFigure; readonly emptyEndpoint: HttpFigure };
}

export interface TwoProcessesFigure {
  readonly processes: CommandFigure[];
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
}

export interface PostgresDetails extends StoreDetails {
  readonly rawCommits: RawPostgresFigure;
  readonly concurrency64: CommandFigure;
  readonly concurrency1: CommandFigure;
  readonly twoProcesses: TwoProcessesFigure;
}

/** The table: each figure beside its yardstick, with issue 8's aim for it. */
export function benchRows(details: BenchDetails, sizes: BenchSizes): BenchRow[] {
  const rows: BenchRow[] = [];
  const { sqlite, postgres } = details;
  if (sqlite) {
    rows.push(
      row('SQLite commands/s through the command bus, concurrency 64', sqlite.concurrency64.commandsPerSecond, '/s', {
        value: sqlite.rawCommits.rowsPerSecondIn64RowCommits,
        unit: 'rows/s',
        what: 'raw 64-row commits',
      }, { kind: 'ratio-at-least', ratio: 0.25 }),
      row('SQLite command p99, concurrency 64', sqlite.concurrency64.p99Ms, 'ms', null, { kind: 'below', value: 25 }),
      // Not an aim: what a command costs the machine, whatever its cores, for reading the rates above.
      row('SQLite CPU a command, concurrency 64 (the process, its 64 callers included)', sqlite.concurrency64.cpuUsPerCommand, 'µs', null, null),
      row('SQLite commands/s through the command bus, concurrency 1', sqlite.concurrency1.commandsPerSecond, '/s', {
        value: sqlite.rawCommits.singleRowCommitsPerSecond,
        unit: 'commits/s',
        what: 'raw single-row commits',
      }, { kind: 'ratio-at-least', ratio: 0.6 }),
      row('HTTP POST /v1/disbursements/s, SQLite, 64 connections', sqlite.http.service.requestsPerSecond, '/s', {
        value: sqlite.http.emptyEndpoint.requestsPerSecond,
        unit: '/s',
        what: 'empty Nest+Fastify POST, same ValidationPipe and DTO',
      }, { kind: 'ratio-at-least', ratio: 0.6 }),
    );
    const { service, emptyEndpoint } = sqlite.http;
    if (service.serverCpuUsPerRequest !== null && emptyEndpoint.serverCpuUsPerRequest !== null) {
      // Not an aim: the CPU behind the two rates, whatever the cores (the load's client runs on them too).
      rows.push(
        row('HTTP CPU a request, SQLite (the service, its threads included)', service.serverCpuUsPerRequest, 'µs', {
          value: emptyEndpoint.serverCpuUsPerRequest,
          unit: 'µs',
          what: 'the empty endpoint, a request',
        }, null),
      );
    }
    rows.push(...storeRows('sqlite', sqlite, details.verify, sizes));
  }
  if (postgres) {
    rows.push(
      row('PostgreSQL commands/s through the command bus, concurrency 64, one process', postgres.concurrency64.commandsPerSecond, '/s', {
        value: postgres.rawCommits.commitsPerSecond,
        unit: 'commits/s',
        what: 'raw single-row commits from 64 clients',
      }, { kind: 'at-least', value: 5_000 }),
      row('PostgreSQL CPU a command, concurrency 64, one process (the process, its 64 callers included)', postgres.concurrency64.cpuUsPerCommand, 'µs', null, null),
      ...(postgres.concurrency64.serverCpuUsPerCommand === null
        ? []
        : [row("PostgreSQL CPU a command, concurrency 64, one process (the server's backends)", postgres.concurrency64.serverCpuUsPerCommand, 'µs', null, null)]),
      row('PostgreSQL commands/s, 2 processes × concurrency 64 on one database, a fund each', postgres.twoProcesses.commandsPerSecond, '/s', {
        value: postgres.concurrency64.commandsPerSecond,
        unit: '/s',
        what: 'one process, row above',
      }, { kind: 'ratio-at-least', ratio: 1.5 }),
    );
    rows.push(...storeRows('postgres', postgres, details.verify, sizes));
  }
  return rows;
}

function storeRows(store: StoreChoice, figures: StoreDetails, verify: VerifyFigure | undefined, sizes: BenchSizes): BenchRow[] {
  const name = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const events = formatNumber(sizes.events);
  const { ledger, flatness } = figures;
  const rows = [
    row(`${name} rebuild of every projection, ${events} events`, ledger.rebuild.eventsPerSecond, 'events/s', {
      value: ledger.scan.rowsPerSecond,
      unit: 'rows/s',
      what: 'raw scan + JSON.parse',
    }, { kind: 'ratio-at-least', ratio: 0.44 }),
    row(`${name} rebuild rate at ${events} vs at ${formatNumber(sizes.flatnessEvents)} events`, ledger.rebuild.eventsPerSecond, 'events/s', {
      value: flatness.rebuild.eventsPerSecond,
      unit: 'events/s',
      what: `rebuild at ${formatNumber(sizes.flatnessEvents)} events`,
    }, { kind: 'ratio-at-least', ratio: 0.8 }),
    row(`${name} rebuild peak RSS, ${events} events`, Math.max(ledger.rebuild.peakRssMiB, ledger.rebuild.maxRssMiB), 'MiB', null, {
      kind: 'below',
      value: 512,
    }),
  ];
  if (verify?.store === store) {
    rows.push(
      row(`offline verify (verifyLedgerStream over the export), ${events} events of the ${name} log`, verify.verifyEventsPerSecond, 'events/s', {
        value: verify.chainedSha256PerSecond,
        unit: 'events/s',
        what: 'raw chained SHA-256',
      }, { kind: 'ratio-at-least', ratio: 0.33 }),
      row(`offline verify peak RSS, ${events} events`, verify.maxRssMiB, 'MiB', null, null),
    );
  }
  for (const query of figures.queries) {
    const what = query.entries === null ? query.query : `${query.query} (${formatNumber(query.entries)} entries, ${formatBytes(query.answerBytes)})`;
    rows.push(row(`${name} p99 at ${events} events: ${what}, ${query.calls} calls`, query.p99Ms, 'ms', null, { kind: 'below', value: 5 }));
    if (query.query === 'flags' || query.query === 'performance') {
      const how = query.query === 'performance' ? 'folds the fund, then judges' : 'judges on the fold performance caught up';
      rows.push(row(`${name} first call after start at ${events} events: ${query.query} (${how})`, query.firstCallMs, 'ms', null, null));
    }
  }
  return rows;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
