export { buildApp } from './app/build-app';
export { bootstrap, defaultPlugins, openStore } from './bootstrap';
export { loadConfig, type ServerConfig, type DatabaseConfig } from './config';
export { startServer } from './main';
export { runCli } from './cli/run-cli';
export { generateApiKey, hashApiKey } from './auth/api-keys';
export type { AppServices, AppOptions } from './services';
