import type { AntifraudConfigRepository, AntifraudListEntry, Mode } from '@payrail/core';
import type { ListSetInput } from './lists';

/** A merchant's own antifraud configuration in one mode, as raw JSON-like data (compiled by the engine). */
export interface MerchantConfig {
  /** A rule set (validated by `ruleSetSchema` when compiled). */
  rules: unknown;
  lists: { allow?: ListSetInput; block?: ListSetInput };
  /** The stored rule set's version, for logs. */
  rulesVersion?: number;
}

/** Where the engine reads a merchant's rules and lists at decision time (cached for `merchantConfig.ttl`). */
export interface MerchantConfigSource {
  load(args: { merchantId: string; mode: Mode; now: Date }): Promise<MerchantConfig | null>;
}

const FIELD: Record<AntifraudListEntry['kind'], keyof ListSetInput> = {
  card_fingerprint: 'cardFingerprints',
  email: 'emails',
  email_domain: 'emailDomains',
  ip: 'ips',
  iin: 'iins',
};

/** Groups stored list entries into the allow and block list sets the engine compiles. */
export function listSetsOf(entries: readonly AntifraudListEntry[]): MerchantConfig['lists'] {
  const lists: Record<'allow' | 'block', Record<string, { value: string; expiresAt?: Date }[]>> = {
    allow: {},
    block: {},
  };
  for (const e of entries) {
    const field = FIELD[e.kind];
    const set = lists[e.list];
    set[field] ??= [];
    set[field].push({ value: e.value, ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}) });
  }
  return lists as MerchantConfig['lists'];
}

/** The store-backed source: the merchant's rule set and live list entries (two indexed reads). */
export function storeMerchantConfig(
  repository: Pick<AntifraudConfigRepository, 'getRuleSet' | 'liveListEntries'>,
): MerchantConfigSource {
  return {
    async load({ merchantId, mode, now }) {
      const [ruleSet, entries] = await Promise.all([
        repository.getRuleSet({ merchantId, mode }),
        repository.liveListEntries({ merchantId, mode, now }),
      ]);
      if (!ruleSet && entries.length === 0) return null;
      return {
        rules: ruleSet?.rules ?? [],
        lists: listSetsOf(entries),
        ...(ruleSet ? { rulesVersion: ruleSet.version } : {}),
      };
    },
  };
}
