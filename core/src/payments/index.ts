export * from './status';
export * from './state-machine';
export * from './types';
export * from './resources';
