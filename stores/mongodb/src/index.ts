export { INDEXES } from './collections';
export { keyId } from './keys';
export { createMongoStore, type MongoStore, type MongoStoreOptions } from './store';
export { UNSUPPORTED_REPOSITORIES } from './unsupported';
