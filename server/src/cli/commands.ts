import { DEFAULT_TARIFF, type Merchant, newId, PayrailError, silentLogger } from '@payrail/core';
import { z } from 'zod';
import { loadAccountsConfig } from '../accounts/accounts-config';
import { createPspUser } from '../accounts/psp-staff';
import { generateApiKey } from '../auth/api-keys';
import { openStore, openVault } from '../bootstrap';
import { loadConfig } from '../config';
import { createIssuer } from '../issuers/create-issuer';
import { runUntilSignal } from '../main';
import { backtestFromFlags } from './antifraud-backtest';

type Flags = Record<string, string | boolean | undefined>;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function requireFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', { param: name, message: `--${name} is required.` });
  }
  return value.trim();
}

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig().database);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

export const COMMANDS: Record<string, { usage: string; run(flags: Flags): Promise<void> }> = {
  start: {
    usage: 'payrail start                      run the server (configuration from the environment)',
    run: () => runUntilSignal(),
  },
  migrate: {
    usage: 'payrail migrate                    apply database migrations and exit',
    run: () =>
      withStore(async (store) => {
        print({ migrated: true, store: store.kind });
      }),
  },
  'merchant create': {
    usage: 'payrail merchant create --name N --email E   create a merchant; prints its id and API keys',
    run: (flags) =>
      withStore(async (store) => {
        const name = requireFlag(flags, 'name');
        const email = z.email().safeParse(requireFlag(flags, 'email'));
        if (!email.success) {
          throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
            param: 'email',
            message: '--email must be an email address.',
          });
        }
        const now = new Date();
        const merchant: Merchant = {
          id: newId('merchant', now.getTime()),
          name,
          email: email.data,
          tariff: DEFAULT_TARIFF,
          providerRoutes: {},
          createdAt: now,
          // Created by the operator: live at once, no application needed (docs/accounts.md, onboarding).
          onboarding: {
            liveEnabledAt: now,
            trialStartedAt: null,
            trialEndsAt: null,
            trialExpiredAt: null,
            connectionFee: null,
          },
        };
        const test = generateApiKey(merchant.id, 'test', now);
        const live = generateApiKey(merchant.id, 'live', now);
        await store.merchants.create({ merchant, apiKeys: [test.record, live.record] });
        print({
          merchant: { id: merchant.id, name, email: merchant.email },
          keys: { test: test.secret, live: live.secret },
          note: 'Keep the secret keys safe: only their hashes are stored, they cannot be shown again.',
        });
      }),
  },
  'issuer create': {
    usage:
      'payrail issuer create --name N           create an issuer account (payer authentication); prints its id and API keys',
    run: (flags) =>
      withStore(async (store) => {
        const created = await createIssuer(store, { name: requireFlag(flags, 'name'), now: new Date() });
        print({
          issuer: { id: created.issuer.id, name: created.issuer.name },
          keys: created.keys,
          note: 'Keep the secret keys safe: only their hashes are stored, they cannot be shown again.',
        });
      }),
  },
  'psp-user create': {
    usage:
      'payrail psp-user create --login E --role admin|support   create PSP staff; prints a one-time password-set link',
    run: (flags) =>
      withStore(async (store) => {
        const login = requireFlag(flags, 'login');
        const role = requireFlag(flags, 'role');
        if (role !== 'admin' && role !== 'support') {
          throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
            param: 'role',
            message: '--role must be admin or support.',
          });
        }
        const accountUrl = loadAccountsConfig(process.env).accountUrl ?? loadConfig().publicUrl;
        const created = await createPspUser(store, { login, role, accountUrl, now: new Date() });
        print({
          user: { id: created.user.id, login: created.user.login, role: created.user.role },
          password_set_link: created.link,
          expires_at: created.expiresAt.toISOString(),
          note: 'Give the link to the staff member only: it sets their password once and expires in 24 hours.',
        });
      }),
  },
  'vault rotate': {
    usage:
      'payrail vault rotate               re-encrypt saved cards under the newest PAYRAIL_VAULT_KEYS key (resumable)',
    run: () =>
      withStore(async (store) => {
        const vault = openVault(loadConfig(), store, silentLogger);
        if (!vault) throw new PayrailError('PAYRAIL_ERR_VAULT_UNAVAILABLE');
        const report = await vault.rotate();
        print({
          key_id: report.keyId,
          resealed: report.resealed,
          skipped: report.skipped,
          failed: report.failed,
        });
        if (report.failed.length > 0) {
          throw new PayrailError('PAYRAIL_ERR_CONFIG', {
            param: 'PAYRAIL_VAULT_KEYS',
            message: `${report.failed.length} saved card(s) could not be opened (listed above); add their keys back to PAYRAIL_VAULT_KEYS and run again.`,
          });
        }
      }),
  },
  'antifraud backtest': {
    usage:
      'payrail antifraud backtest --merchant ID --rules FILE.json --from DATE --to DATE [--mode live|test] [--no-lists]   replay payments through candidate rules (the report of POST /v1/antifraud/backtest)',
    run: (flags) =>
      withStore(async (store) => {
        print(await backtestFromFlags(store, flags, new Date()));
      }),
  },
  'keys list': {
    usage: "payrail keys list --merchant ID   list a merchant's API keys (prefixes only)",
    run: (flags) =>
      withStore(async (store) => {
        const merchantId = requireFlag(flags, 'merchant');
        if (!(await store.merchants.get({ id: merchantId }))) {
          throw new PayrailError('PAYRAIL_ERR_MERCHANT_NOT_FOUND', {
            param: 'merchant',
            message: `No merchant ${merchantId}.`,
          });
        }
        const keys = await store.apiKeys.list({ merchantId });
        print(
          keys.map((k) => ({
            id: k.id,
            mode: k.mode,
            prefix: k.displayPrefix,
            created_at: k.createdAt.toISOString(),
            revoked_at: k.revokedAt?.toISOString() ?? null,
          })),
        );
      }),
  },
};
