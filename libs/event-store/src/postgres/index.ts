export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
export { postgresMigrations, postgresSchemaVersion, type PostgresMigration } from './postgres-schema';
