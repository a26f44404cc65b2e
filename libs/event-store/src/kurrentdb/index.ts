// The public face of the KurrentDB adapter; the mapping functions stay importable from their modules.
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export type { KurrentDbClient } from './kurrentdb-client';
export { PositionMapDivergedError, type KurrentDbLog } from './ledger-indexer';
export {
  InMemoryKurrentDbReadModels,
  positionMapProjectionName,
  type KurrentDbReadModels,
} from './ledger-position-map';
