export * from './merkle';
export * from './checkpoint';
export * from './balance-replay';
export * from './ledger-verifier';
export * from './export-file';
