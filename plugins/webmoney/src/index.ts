export * from './form';
export * from './notification';
export * from './options';
export * from './payment-number';
export * from './plugin';
export * from './purses';
export * from './signature';
export * from './x18';
