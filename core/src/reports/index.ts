export * from './buckets';
export * from './figures';
export * from './report';
export * from './time-zone';
