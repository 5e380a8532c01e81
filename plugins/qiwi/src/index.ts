export * from './client';
export * from './mapping';
export * from './options';
export * from './plugin';
export * from './signature';
export * from './webhooks';
