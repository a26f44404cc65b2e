export * from './event-store.port';
export * from './event-hash';
export * from './postgres';
export * from './sqlite';
export * from './kurrentdb';
