export * from './catalogue';
export * from './decline-codes';
export * from './payrail-error';
