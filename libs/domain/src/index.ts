export * from './money';
export * from './regions';
export * from './messages';
