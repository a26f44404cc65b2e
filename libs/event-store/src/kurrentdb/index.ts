export * from './kurrentdb-client';
export * from './kurrentdb-event-store';
export * from './kurrentdb-mapping';
export * from './ledger-indexer';
export * from './ledger-position-map';
