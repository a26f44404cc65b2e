export * from './money';
export * from './regions';
export * from './messages';
export * from './calendar';
export * from './region-year';
export * from './fund-event.decoder';
export * from './key-scope';
export * from './fund.decider';
