export * from './catalogue';
export * from './payrail-error';
export * from './decline-codes';
