import { type FundEvent, type LedgerEvent } from './messages';

/**
 * The one place where a stored event (a type name and JSON data) becomes a typed domain event.
 * Whatever reads the log (the command side, the projections, the flags) goes through it, so that
 * a type the domain does not know is skipped in one way everywhere, and events written before a
 * field existed read with that field's default.
 */

const fundEventTypes: ReadonlySet<string> = new Set<FundEvent['type']>([
  'AllocationRecorded',
  'DisbursementRecorded',
  'PassDownRecorded',
  'DisbursementReversed',
  'RegionYearSettled',
  'PerformanceTargetsRecorded',
  'PerformanceActualReported',
]);

export interface StoredEventLike {
  readonly type: string;
  readonly data: unknown;
}

export function isFundEventType(type: string): type is FundEvent['type'] {
  return fundEventTypes.has(type);
}

/** The fund event, or null for an event that is not one (a refusal, a checkpoint, a reservation). */
export function decodeFundEvent(stored: StoredEventLike): FundEvent | null {
  if (!isFundEventType(stored.type)) return null;
  const data = stored.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`stored ${stored.type} has no data object`);
  }
  const record = data as Record<string, unknown>;
  if (typeof record['programCode'] !== 'string' || typeof record['fiscalYear'] !== 'number') {
    throw new Error(`stored ${stored.type} names no fund`);
  }
  switch (stored.type) {
    case 'DisbursementReversed':
    case 'DisbursementRecorded':
    case 'PassDownRecorded':
      // Logs written before a reversal carried its original's flag read as before settlement. (A
      // copy only then: a rebuild decodes every payment of the log.)
      return { type: stored.type, data: 'afterSettlement' in record ? record : { afterSettlement: false, ...record } } as unknown as FundEvent;
    case 'RegionYearSettled':
      // Before settlements netted returns, allocated was the pre-allocation and nothing went back.
      return {
        type: stored.type,
        data: { preAllocatedFen: record['allocatedFen'], returnedBeforeFen: '0', ...record },
      } as unknown as FundEvent;
    default:
      return { type: stored.type, data: record } as unknown as FundEvent;
  }
}

/** A ledger event: a fund event or a refusal; null for anything else in the log. */
export function decodeLedgerEvent(stored: StoredEventLike): LedgerEvent | null {
  if (stored.type === 'CommandRefused') return { type: 'CommandRefused', data: stored.data } as LedgerEvent;
  return decodeFundEvent(stored);
}
