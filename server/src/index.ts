export { buildApp } from './app/build-app';
export { generateApiKey, hashApiKey } from './auth/api-keys';
export { bootstrap, defaultPlugins, openStore } from './bootstrap';
export { runCli } from './cli/run-cli';
export { type DatabaseConfig, loadConfig, type ServerConfig } from './config';
export { AgendaJobScheduler } from './jobs/agenda-scheduler';
export { type BackgroundJobs, type JobSettings, startBackgroundJobs } from './jobs/background-jobs';
export { startServer } from './main';
export type { AppOptions, AppServices } from './services';
export {
  SIGNATURE_HEADER,
  signPayload,
  type VerifyWebhookArgs,
  verifyPayrailSignature,
  verifyWebhook,
} from './webhooks/signature';
