export * from './flag.types';
export * from './compute-flags';
export { effectiveDateOf } from './calendar';
