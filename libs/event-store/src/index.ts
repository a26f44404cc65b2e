export * from './event-store.port';
export * from './ledger-tables.port';
export * from './event-hash';
export * from './event-loop-turns';
// Each adapter is an entry point of its own (@earmark/event-store/sqlite, .../postgres,
// .../kurrentdb), so that loading the port loads no database driver.
