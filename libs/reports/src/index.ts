export * from './ledger-report';
export * from './report-input';
export * from './report-xlsx';
export * from './get-report.handler';
