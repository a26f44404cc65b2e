export * from './sqlite-event-store';
export * from './sqlite-schema';
export type { CheckpointCounts } from './sqlite-checkpointer';
