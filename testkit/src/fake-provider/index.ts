export * from './plugin';
export * from './triggers';
export * from './webhook';
