export * from './event-store.port';
export * from './ledger-tables.port';
export * from './event-hash';
export * from './postgres';
export * from './sqlite';
export * from './kurrentdb';
