export * from './buckets';
export * from './figures';
export * from './ledger-lines';
export * from './report';
export * from './time-zone';
