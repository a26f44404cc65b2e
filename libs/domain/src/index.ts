export * from './money';
export * from './regions';
export * from './messages';
export * from './fund.decider';
