export { buildApp } from './app/build-app';
export { generateApiKey, hashApiKey } from './auth/api-keys';
export { bootstrap, defaultPlugins, openStore } from './bootstrap';
export { runCli } from './cli/run-cli';
export { type DatabaseConfig, loadConfig, type ServerConfig } from './config';
export { startServer } from './main';
export type { AppOptions, AppServices } from './services';
