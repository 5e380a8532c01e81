import { initialSchema } from './0001-initial-schema';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, oldest first. Add a file per change; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [initialSchema];
