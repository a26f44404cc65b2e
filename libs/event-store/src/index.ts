export * from './event-store.port';
export * from './event-hash';
export * from './postgres/postgres-event-store';
export * from './sqlite';
