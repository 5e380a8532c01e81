export * from './country';
export * from './resources';
export * from './state-machine';
export * from './status';
export * from './types';
