/**
 * Background jobs. The agenda-backed implementation lives with the server; core only names jobs and
 * their payloads. Payloads never contain card data or secrets.
 */
export interface JobScheduler {
  define<T extends Record<string, unknown>>(name: string, handler: (payload: T) => Promise<void>): void;
  /** Runs the job as soon as possible; `uniqueKey` makes repeated scheduling of the same work a no-op. */
  now(name: string, payload: Record<string, unknown>, options?: { uniqueKey?: string }): Promise<void>;
  schedule(
    name: string,
    at: Date,
    payload: Record<string, unknown>,
    options?: { uniqueKey?: string },
  ): Promise<void>;
  every(name: string, interval: string, payload?: Record<string, unknown>): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
