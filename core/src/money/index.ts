export * from './iso4217';
export * from './money';
