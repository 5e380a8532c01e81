export * from './fake-provider';
export * from './msw/serve-msw-handlers';
export * from './provider-contract';
export * from './store-contract';
