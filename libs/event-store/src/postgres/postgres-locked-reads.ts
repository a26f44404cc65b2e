import type { QueryResult } from 'pg';
import type { AppendRequest, RecordedEvent } from '../event-store.port';
import type { FundRef, LedgerTablesProjection, RegionRef } from '../ledger-tables.port';
import { storedStateLiteralSql, storedStateOf, type StoredState } from './postgres-append';
import { addLedgerRows, lockLedgerStateSql } from './postgres-ledger-tables';
import { intArrayLiteral, textArrayLiteral } from './postgres-literals';
import type { LoadedLedger } from './postgres-projection-writer';

/**
 * What a batch reads once it holds the head lock, as statements that follow the lock in the same
 * simple query: the stored state of its appends and the ledger rows they will fold over (locked).
 * A read whose keys cannot be literals is left out; the batch then makes it with parameters.
 */
export interface LockedReads {
  readonly statements: readonly string[];
  /** Takes the statements' results, in order: the stored state (null when left out), the rows into `loadedLedger`. */
  take(results: readonly QueryResult[], loadedLedger: LoadedLedger): { readonly stored: StoredState | null };
}

export function lockedReads(requests: readonly AppendRequest[], ledgerProjection: LedgerTablesProjection | undefined): LockedReads {
  const storedSql = storedStateLiteralSql(requests);
  const keys = ledgerProjection ? ledgerKeysOf(requests, ledgerProjection) : { programYears: [], regionBalances: [] };
  const programYearKeys = keys.programYears.length === 0 ? null : literalsOrNull({
    programCodes: textArrayLiteral(keys.programYears.map((k) => k.programCode)),
    fiscalYears: intArrayLiteral(keys.programYears.map((k) => k.fiscalYear)),
  });
  const regionKeys = keys.regionBalances.length === 0 ? null : literalsOrNull({
    programCodes: textArrayLiteral(keys.regionBalances.map((k) => k.programCode)),
    fiscalYears: intArrayLiteral(keys.regionBalances.map((k) => k.fiscalYear)),
    regionCodes: textArrayLiteral(keys.regionBalances.map((k) => k.regionCode)),
  });
  const ledgerSql = lockLedgerStateSql(programYearKeys, regionKeys);
  const statements = [storedSql, ledgerSql.programYears, ledgerSql.regionBalances].filter((sql): sql is string => sql !== null);
  return {
    statements,
    take(results, loadedLedger) {
      let next = 0;
      const stored = storedSql === null ? null : storedStateOf(results[next++].rows);
      const programYearRows = ledgerSql.programYears === null ? [] : results[next++].rows;
      const regionBalanceRows = ledgerSql.regionBalances === null ? [] : results[next++].rows;
      addLedgerRows(loadedLedger, programYearRows, regionBalanceRows);
      loadedLedger.markRead({
        programYears: programYearKeys === null ? [] : keys.programYears,
        regionBalances: regionKeys === null ? [] : keys.regionBalances,
      });
      return { stored };
    },
  };
}

/**
 * The aggregate rows the batch's events touch, each once. Which rows an event touches does not
 * depend on its place in the log, so the events are looked at before they are placed; an append
 * the projection refuses adds none here and is refused when the batch is folded.
 */
function ledgerKeysOf(requests: readonly AppendRequest[], projection: LedgerTablesProjection): { programYears: FundRef[]; regionBalances: RegionRef[] } {
  const programYears = new Map<string, FundRef>();
  const regionBalances = new Map<string, RegionRef>();
  for (const request of requests) {
    const events = request.streams.flatMap((stream) =>
      stream.events.map(
        (event): RecordedEvent => ({
          id: event.id,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          streamName: stream.streamName,
          streamVersion: 0n,
          position: 0n,
          recordedAt: '',
          hash: '',
          previousHash: '',
        }),
      ),
    );
    try {
      const keys = projection.stateKeys(events);
      for (const k of keys.programYears) programYears.set(`${k.programCode}\u0000${k.fiscalYear}`, k);
      for (const k of keys.regionBalances) regionBalances.set(`${k.programCode}\u0000${k.fiscalYear}\u0000${k.regionCode}`, k);
    } catch {
      // Refused again, with its own error, when the batch is folded.
    }
  }
  return { programYears: [...programYears.values()], regionBalances: [...regionBalances.values()] };
}

function literalsOrNull<T extends Record<string, string | null>>(literals: T): { [K in keyof T]: string } | null {
  return Object.values(literals).some((literal) => literal === null) ? null : (literals as { [K in keyof T]: string });
}
