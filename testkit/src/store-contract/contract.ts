import type { Store } from '@payrail/core';

/** A store ready for one case (migrated, empty or at least not shared with concurrent cases). */
export interface StoreHandle {
  store: Store;
  /** Releases or empties what the case used; called after every case. */
  cleanup(): Promise<void>;
}

export interface StoreContractOptions {
  /** Case name → reason. The case is reported as skipped with the reason, never silently dropped. */
  skip?: Record<string, string>;
  /**
   * Opens `count` stores on ONE new database that was never migrated, as several server processes
   * starting at once would. Needed by the concurrent-migration case; an adapter whose database cannot be
   * opened twice (embedded PGlite) leaves it out and that case is skipped with a reason.
   */
  makeUnmigratedStores?: (count: number) => Promise<{ stores: Store[]; cleanup(): Promise<void> }>;
}

export interface CaseContext {
  store: Store;
  options: StoreContractOptions;
}

export interface ContractCase {
  name: string;
  /** An option the case cannot run without; absent → skipped, with this as the reason. */
  needs?: { option: keyof StoreContractOptions; reason: string };
  run(ctx: CaseContext): Promise<void>;
}
