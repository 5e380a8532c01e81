import type { Mode, Store } from '@payrail/core';
import type {
  CardsOptions,
  Enrolment,
  IssuerDirectory,
  IssuerStatistics,
  IssuerStatisticsCounter,
} from '@payrail/plugin-cards';

/** The issuer accounts' ranges and enrolments, read from the store (the cards plugin's `IssuerDirectory`). */
export class StoreIssuerDirectory implements IssuerDirectory {
  constructor(private readonly store: Store) {}

  async issuerFor({ pan, mode }: { pan: string; mode: Mode }): Promise<string | null> {
    // Longest range first: an issuer's more specific range wins over its wider one.
    const [range] = await this.store.issuers.rangesCovering({ pan, mode });
    return range?.issuerId ?? null;
  }

  async enrolment(args: { issuerId: string; fingerprint: string; mode: Mode }): Promise<Enrolment | null> {
    const enrolment = await this.store.issuers.findEnrolment(args);
    return enrolment
      ? { issuerId: enrolment.issuerId, fingerprint: enrolment.fingerprint, codeHash: enrolment.codeHash }
      : null;
  }
}

/** Challenge statistics in the store: every server process adds to the same counters, atomically. */
export class StoreIssuerStatistics implements IssuerStatisticsCounter {
  constructor(private readonly store: Store) {}

  increment(args: { issuerId: string; mode: Mode; statistic: keyof IssuerStatistics }): Promise<void> {
    return this.store.issuers.incrementStatistic(args);
  }

  read(args: { issuerId: string; mode: Mode }): Promise<IssuerStatistics> {
    return this.store.issuers.statistics(args);
  }
}

/** The cards plugin options that serve issuer accounts from `store`, behind the sandbox issuer. */
export function issuerServiceOptions(
  store: Store,
): Pick<CardsOptions, 'issuerDirectory' | 'sandboxIssuer' | 'issuerStatistics'> {
  return {
    issuerDirectory: new StoreIssuerDirectory(store),
    sandboxIssuer: true,
    issuerStatistics: new StoreIssuerStatistics(store),
  };
}
