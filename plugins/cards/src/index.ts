export * from './brands';
export { cardFingerprint } from './fingerprint';
export * from './luhn';
export * from './plugin';
export * from './response-codes';
export * from './sandbox-acquirer';
export * from './validate-card';
export * from './vault-keys';
