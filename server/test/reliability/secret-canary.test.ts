// The secret canary (issue 7): one broad scenario on PostgreSQL touches every kind of secret the server
// handles — card data, passwords, one-time tokens, TOTP, API keys, issuer keys, webhook signing secrets
// and the server's own keys from the environment — each a random value made here. Every log line (all
// loggers at trace level, plus anything written to stdout/stderr/console) is captured; afterwards a real
// `pg_dump` (schema + data, plain format) and every table read over SQL are taken, and all three are
// scanned for each secret in clear and in the usual encodings. Secrets shown once (an API key at
// creation) may appear in that HTTP answer, never in the database or the logs.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { QiwiSimulator } from '@payrail/plugin-qiwi/simulator';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccountsOptions, loadAccountsConfig } from '../../src/accounts/accounts-config';
import type { AccountsOptions } from '../../src/accounts/accounts-options';
import { createPspUser } from '../../src/accounts/psp-staff';
import { updateUser } from '../../src/accounts/user-record';
import { buildApp } from '../../src/app/build-app';
import { type Bootstrapped, bootstrap } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { loggerOptions } from '../../src/http/logging';
import { type BackgroundJobs, jobSettings, startBackgroundJobs } from '../../src/jobs/background-jobs';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/webhooks/signature';
import { Browser, signedTelegramData } from '../accounts/helpers';
import { type ServedFetchHandler, serveFetchHandler } from '../helpers/serve-fetch-handler';
import { distinctivePan } from '../helpers/test-cards';
import { startWebhookReceiver, waitFor } from '../helpers/webhook-receiver';

// Bounds a hang only (argon2 and agenda on a loaded 2-core machine); nothing asserts on time.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const execFileAsync = promisify(execFile);
const PUBLIC_URL = 'http://payrail.test';

// ── distinctive random values ──────────────────────────────────────────────────────────────────────

const rand = (bytes = 9) => randomBytes(bytes).toString('base64url');
/** A password the policy accepts, with characters that JSON, URL and COPY encode differently. */
const password = (tag: string) => `Cn-${tag}-${rand(9)}"/+%\\9Zq`;
const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

/** A short number (CVC, code) that does not occur as a whole number in `baseline`, outside `avoid`. */
function freshNumber(length: number, low: number, high: number, baseline: string, avoid: RegExp): string {
  for (;;) {
    const n = String(randomInt(low, high)).padStart(length, '0');
    if (avoid.test(n)) continue;
    if (!new RegExp(`(?<![0-9A-Za-z])${n}(?![0-9A-Za-z])`).test(baseline)) return n;
  }
}

// ── the scanner ────────────────────────────────────────────────────────────────────────────────────

/**
 * Fragments that must be in any text holding `bytes` base64-encoded, at any of the three alignments
 * (the secret inside a longer encoded value): the characters that depend on the secret's bytes alone.
 */
function base64Fragments(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]);
    const b64 = padded.toString('base64');
    const from = shift === 0 ? 0 : 4;
    const to = 4 * Math.floor(padded.length / 3);
    const fragment = b64.slice(from, to);
    if (fragment.length >= 8) {
      out.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...new Set(out)];
}

interface Secret {
  kind: string;
  value: string;
  /** Raw bytes of a binary key (its hex/base64 forms are searched too). */
  bytes?: Buffer;
  /** A card number: also searched with spaces and dashes between digit groups. */
  pan?: boolean;
  /** A short number: searched as a whole number only (no encodings: too short to be distinctive). */
  short?: boolean;
  /**
   * Guessable (a password, card data, a code): its unsalted MD5/SHA-1/SHA-256 would be as good as clear
   * text, so those are searched too. Random tokens are stored as SHA-256 on purpose and are not.
   */
  guessable?: boolean;
}

const unsaltedHashes = (v: string) =>
  (['md5', 'sha1', 'sha256'] as const).map((algorithm) => ({
    form: `unsalted ${algorithm}`,
    text: createHash(algorithm).update(v, 'utf8').digest('hex'),
  }));

/** Every form of a secret the scan looks for: as is, encoded (base64, hex, URL, JSON, COPY) and spaced. */
function formsOf(secret: Secret): Array<{ form: string; text: string }> {
  const v = secret.value;
  const hashes = secret.guessable ? unsaltedHashes(v) : [];
  // A short number's clear form is searched as a whole number (scan); only its hashes here.
  if (secret.short) return hashes;
  const forms: Array<{ form: string; text: string }> = [{ form: 'as is', text: v }, ...hashes];
  const utf8 = Buffer.from(v, 'utf8');
  const json = JSON.stringify(v).slice(1, -1);
  forms.push(
    { form: 'JSON-escaped', text: json },
    { form: 'JSON-escaped in COPY', text: json.replace(/\\/g, '\\\\') },
    { form: 'COPY-escaped', text: v.replace(/\\/g, '\\\\') },
    { form: 'URL-encoded', text: encodeURIComponent(v) },
    { form: 'form-encoded', text: encodeURIComponent(v).replace(/%20/g, '+') },
    { form: 'hex', text: utf8.toString('hex') },
    { form: 'HEX', text: utf8.toString('hex').toUpperCase() },
    ...base64Fragments(utf8).map((text) => ({ form: 'base64', text })),
  );
  if (secret.bytes) {
    forms.push(
      { form: 'key hex', text: secret.bytes.toString('hex') },
      { form: 'key HEX', text: secret.bytes.toString('hex').toUpperCase() },
      ...base64Fragments(secret.bytes).map((text) => ({ form: 'key base64', text })),
    );
  }
  if (secret.pan) {
    const groups = v.length === 15 ? [v.slice(0, 4), v.slice(4, 10), v.slice(10)] : v.match(/.{1,4}/g)!;
    const fours = v.match(/.{1,4}/g)!;
    for (const sep of [' ', '-', '.'])
      forms.push(
        { form: `grouped "${sep}"`, text: groups.join(sep) },
        { form: `4-grouped "${sep}"`, text: fours.join(sep) },
      );
  }
  // Forms equal to the secret itself add nothing.
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length > 0 && !seen.has(f.text) && seen.add(f.text));
}

/** Takes out what is random or time (ids, hashes, ciphertext, timestamps, decimals) before short numbers. */
function withoutNoise(text: string): string {
  return text
    .replace(/\b[a-z]+_[0-9A-Za-z]{20,}\b/g, '<id>')
    .replace(/\$argon2id?\$[^"\s,]+/g, '<argon2>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b[0-9a-fA-F]{16,}\b/g, '<hex>')
    .replace(/[A-Za-z0-9_+/-]{40,}={0,2}/g, '<base64>')
    .replace(/\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?)?/g, '<time>')
    .replace(/\d+\.\d+/g, '<decimal>')
    .replace(/"(time|responseTime|pid)":\d+/g, '"$1":<n>');
}

interface Hit {
  kind: string;
  source: string;
  form: string;
  context: string;
}

function scan(secrets: Secret[], sources: Record<string, string>): Hit[] {
  const hits: Hit[] = [];
  const cleaned: Record<string, string> = {};
  for (const secret of secrets) {
    for (const [source, text] of Object.entries(sources)) {
      if (secret.short) {
        cleaned[source] ??= withoutNoise(text);
        const re = new RegExp(`(?<![0-9A-Za-z])${secret.value}(?![0-9A-Za-z])`, 'g');
        for (const m of cleaned[source].matchAll(re)) {
          const at = m.index ?? 0;
          const context = cleaned[source].slice(Math.max(0, at - 60), at + 20);
          hits.push({ kind: secret.kind, source, form: 'whole number', context });
        }
      }
      for (const { form, text: needle } of formsOf(secret)) {
        const at = text.indexOf(needle);
        if (at >= 0) {
          const context = text.slice(Math.max(0, at - 60), at + needle.length + 20);
          hits.push({ kind: secret.kind, source, form, context });
        }
      }
    }
  }
  return hits;
}

// ── small servers the scenario talks to ─────────────────────────────────────────────────────────────

interface Mail {
  to: string[];
  text: string;
}

/** SMTP with AUTH (PLAIN/LOGIN over plain text, as a local relay): checks the configured credentials. */
async function startAuthSmtp(user: string, pass: string) {
  const mails: Mail[] = [];
  let authenticated = 0;
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) {
        authenticated++;
        callback(null, { user });
      } else callback(new Error('bad credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const text = raw
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    authenticated: () => authenticated,
    tokenFor: (address: string, marker: RegExp) =>
      waitFor(() => {
        const mail = mails.find((m) => m.to.includes(address) && marker.test(m.text));
        return mail ? /token=([A-Za-z0-9_-]{20,})/.exec(mail.text)?.[1] : undefined;
      }, 30_000),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Telegram's Bot API `sendMessage` on loopback; answers 401 to any other token. */
async function startTelegram(token: string) {
  const messages: Array<{ chatId: string; text: string }> = [];
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url !== `/bot${token}/sendMessage`) {
        res.writeHead(401).end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { chat_id: string; text: string };
      messages.push({ chatId: String(body.chat_id), text: body.text });
      res.writeHead(200).end(JSON.stringify({ ok: true, result: { message_id: messages.length } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ── the test ─────────────────────────────────────────────────────────────────────────────────────

describe('secret canary: no secret in clear in a database dump or the logs', () => {
  const logs: string[] = [];
  const responses: LightMyRequestResponse[] = [];
  const restore: Array<() => void> = [];
  let db: TestDatabase;
  let services: Bootstrapped;
  let app: FastifyInstance;
  let accounts: AccountsOptions;
  let jobs: BackgroundJobs | undefined;
  let smtp: Awaited<ReturnType<typeof startAuthSmtp>>;
  let telegram: Awaited<ReturnType<typeof startTelegram>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let qiwiApi: ServedFetchHandler;
  const pluginsFile = join(tmpdir(), `secret-canary-plugins-${process.pid}-${rand(4)}.json`);
  let baseline = '';

  // Server-side secrets, given as the environment would give them.
  const vaultOld = randomBytes(32);
  const vaultNew = randomBytes(32);
  const secretsKey = randomBytes(32);
  const env = {
    COOKIE: `cookie-${rand(24)}`,
    FINGERPRINT: `fp-${rand(24)}`,
    SMTP_USER: `relay-${rand(6)}`,
    SMTP_PASSWORD: `smtp-${rand(15)}`,
    BOT_TOKEN: `${digits(10)}:AA${rand(24)}`,
    QIWI_SECRET: `qiwi-${rand(24)}`,
  };
  const qiwiSim = new QiwiSimulator({ siteId: 'canary-site', secretKey: env.QIWI_SECRET });
  const secrets: Secret[] = [
    { kind: 'PAYRAIL_VAULT_KEYS (old key)', value: vaultOld.toString('base64'), bytes: vaultOld },
    { kind: 'PAYRAIL_VAULT_KEYS (new key)', value: vaultNew.toString('base64'), bytes: vaultNew },
    { kind: 'PAYRAIL_WEBHOOK_SECRETS_KEY', value: secretsKey.toString('hex'), bytes: secretsKey },
    { kind: 'PAYRAIL_COOKIE_SECRET', value: env.COOKIE },
    { kind: 'PAYRAIL_CARD_FINGERPRINT_KEY', value: env.FINGERPRINT },
    { kind: 'PAYRAIL_SMTP_PASSWORD', value: env.SMTP_PASSWORD },
    { kind: 'PAYRAIL_TELEGRAM_BOT_TOKEN', value: env.BOT_TOKEN },
    { kind: 'provider credential (QIWI secretKey, PAYRAIL_PLUGINS_FILE)', value: env.QIWI_SECRET },
  ];
  const add = (kind: string, value: string, extra: Partial<Secret> = {}) => {
    expect(value, kind).toBeTruthy();
    // Recovery codes count: 40 random bits can be tried exhaustively against an unsalted hash.
    const guessable = /password|PAN|CVC|code/.test(kind) && !/token/.test(kind);
    secrets.push({ kind, value, guessable, ...extra });
    return value;
  };

  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });

  /** Anything printed outside the loggers (console, process streams) is captured too. */
  function tee() {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        logs.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => {
        stream.write = original as typeof stream.write;
      });
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        original(...args);
      };
      restore.push(() => {
        console[method] = original;
      });
    }
  }

  const pgDump = async () =>
    (
      await execFileAsync('pg_dump', ['--dbname', db.url, '--format=plain', '--no-owner'], {
        maxBuffer: 256 * 1024 * 1024,
      })
    ).stdout;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The schema and seed rows of a fresh database: short numbers are chosen not to occur there.
    const fresh = createPostgresStore({ url: db.url, poolSize: 1 });
    await fresh.migrate();
    await fresh.close();
    baseline = await pgDump();
    smtp = await startAuthSmtp(env.SMTP_USER, env.SMTP_PASSWORD);
    telegram = await startTelegram(env.BOT_TOKEN);
    receiver = await startWebhookReceiver();
    qiwiApi = await serveFetchHandler((request) => qiwiSim.handleApi(request));
    // A provider with an API secret, configured as a deployment does (the file is not scanned: it is config).
    await writeFile(
      pluginsFile,
      JSON.stringify({
        qiwi: [
          { siteId: 'canary-site', secretKey: env.QIWI_SECRET, publicKey: 'pk', apiBaseUrl: qiwiApi.url },
        ],
      }),
    );
    tee();

    const environment: NodeJS.ProcessEnv = {
      PAYRAIL_DATABASE_URL: db.url,
      PAYRAIL_PUBLIC_URL: PUBLIC_URL,
      LOG_LEVEL: 'trace',
      PAYRAIL_VAULT_KEYS: `old:${vaultOld.toString('base64')},new:${vaultNew.toString('base64')}`,
      PAYRAIL_WEBHOOK_SECRETS_KEY: secretsKey.toString('hex'),
      PAYRAIL_CARD_FINGERPRINT_KEY: env.FINGERPRINT,
      PAYRAIL_SIMULATORS: 'off',
      PAYRAIL_PLUGINS_FILE: pluginsFile,
      PAYRAIL_JOBS_POLL_INTERVAL: '200ms',
      PAYRAIL_WEBHOOK_TIMEOUT: '5s',
      PAYRAIL_COOKIE_SECRET: env.COOKIE,
      PAYRAIL_ACCOUNT_URL: 'https://account.payrail.test',
      PAYRAIL_AUTH_RATE_LIMIT: '1000',
      PAYRAIL_SMTP_HOST: '127.0.0.1',
      PAYRAIL_SMTP_PORT: String(smtp.port),
      PAYRAIL_SMTP_TLS: 'none',
      PAYRAIL_SMTP_USER: env.SMTP_USER,
      PAYRAIL_SMTP_PASSWORD: env.SMTP_PASSWORD,
      PAYRAIL_TELEGRAM_BOT_TOKEN: env.BOT_TOKEN,
      PAYRAIL_TELEGRAM_API_URL: telegram.url,
    };
    // What `payrail start` does (main.ts), with the logger writing here instead of stdout.
    const config = loadConfig(environment);
    const logger = pino(loggerOptions({ level: config.logLevel }) as pino.LoggerOptions, capture);
    services = await bootstrap(config, logger);
    expect(services.vault, 'vault from PAYRAIL_VAULT_KEYS').toBeDefined();
    expect(services.webhookSecrets, 'box from PAYRAIL_WEBHOOK_SECRETS_KEY').toBeDefined();
    accounts = createAccountsOptions(loadAccountsConfig(environment), config.publicUrl, logger);
    app = await buildApp(services, {
      publicUrl: config.publicUrl,
      bodyLimit: config.bodyLimit,
      logger: { level: config.logLevel, stream: capture },
      accounts,
    });
    // Every answer, to report what is shown once to the user.
    const inject = app.inject.bind(app) as (o: unknown) => Promise<LightMyRequestResponse>;
    (app as unknown as { inject: typeof inject }).inject = async (options) => {
      const response = await inject(options);
      responses.push(response);
      return response;
    };
    jobs = await startBackgroundJobs(
      { ...services, notifier: accounts.notifier, accountUrl: accounts.accountUrl },
      {
        ...jobSettings(config.jobs),
        intervals: { dispatchOutbox: '200ms', deliverWebhooks: '200ms', deliverNotifications: '200ms' },
        webhookRetry: { baseDelayMs: 100, maxDelayMs: 200, windowMs: 60_000 },
      },
    );
  });

  afterAll(async () => {
    for (const undo of restore.splice(0).reverse()) undo();
    await jobs?.stop();
    await app?.close();
    await services?.close();
    await receiver?.close();
    await qiwiApi?.close();
    await rm(pluginsFile, { force: true });
    await telegram?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('runs every secret through the server, then finds none in the pg_dump, the tables or the logs', async () => {
    const browser = () => new Browser(app);
    // A value planted on purpose in the database (base64) and in the log (as is): the scan's own check.
    const PLANTED = `planted-${rand(12)}`;
    (services.logger as pino.Logger).trace({ note: PLANTED }, 'secret canary: planted control');
    const expectStatus = (r: { statusCode: number; rawBody: string }, status: number) =>
      expect(r.statusCode, r.rawBody).toBe(status);
    const sessionToken = (b: Browser) => {
      const cookie = b.cookies.get('__Host-payrail_session');
      expect(cookie, 'session cookie').toBeTruthy();
      // A signed cookie: "<token>.<signature>" (URL-encoded).
      const value = decodeURIComponent(cookie ?? '');
      add('session token (cookie)', value.slice(0, value.lastIndexOf('.')));
    };
    const now = new Date();

    // ── a merchant owner: registration, confirmation, login ──
    const SHOP_NAME = `Canary "Shop" ${rand(6)}`; // stored in clear: the positive control
    const ownerEmail = `owner.${rand(5)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}@shop.test`;
    const ownerPassword = add('merchant user password', password('owner'));
    // No capital letter: the password policy refuses it.
    const weak = add(
      'rejected weak password',
      `weak-${digits(4)}-${rand(6)
        .toLowerCase()
        .replace(/[^a-z]/g, 'k')}`,
    );
    const owner = browser();
    const tooWeak = await owner.post('/v1/auth/register', {
      login: ownerEmail,
      password: weak,
      account_type: 'merchant',
    });
    expect(tooWeak.statusCode).toBe(400);
    expectStatus(
      await owner.post('/v1/auth/register', {
        login: ownerEmail,
        password: ownerPassword,
        account_type: 'merchant',
        merchant_name: SHOP_NAME,
      }),
      202,
    );
    const confirmToken = add('email confirmation token', await smtp.tokenFor(ownerEmail, /Confirm/));
    expectStatus(await owner.post('/v1/auth/email/confirm', { token: confirmToken }), 200);
    const wrongPassword = add('mistyped login password', password('typo'));
    expect(
      (await browser().post('/v1/auth/login', { login: ownerEmail, password: wrongPassword })).statusCode,
    ).toBe(401);
    // The password typed into the login box by mistake.
    expect(
      (await browser().post('/v1/auth/login', { login: ownerPassword, password: wrongPassword })).statusCode,
    ).toBe(401);
    expectStatus(await owner.post('/v1/auth/login', { login: ownerEmail, password: ownerPassword }), 200);
    sessionToken(owner);

    // ── financial password; TOTP on; a login with the second factor ──
    const financial = add('financial password', password('fin'));
    expectStatus(
      await owner.post('/v1/account/financial_password', {
        current_password: ownerPassword,
        financial_password: financial,
      }),
      200,
    );
    const totp = await owner.post('/v1/account/mfa/totp', { current_password: ownerPassword });
    expectStatus(totp, 200);
    const totpSecret = add('TOTP secret', totp.body.secret);
    const epoch = () => Math.floor(Date.now() / 1000);
    const firstCode = add('TOTP code', await generate({ secret: totpSecret, epoch: epoch() }), {
      short: true,
    });
    const enabled = await owner.post('/v1/account/mfa/totp/confirm', { code: firstCode });
    expectStatus(enabled, 200);
    const recoveryCodes: string[] = enabled.body.recovery_codes;
    expect(recoveryCodes.length).toBeGreaterThan(0);
    for (const [i, code] of recoveryCodes.entries()) add(`TOTP recovery code ${i + 1}`, code);
    const merchant = browser();
    const step1 = await merchant.post('/v1/auth/login', { login: ownerEmail, password: ownerPassword });
    expect(step1.body.mfa_required, step1.rawBody).toBe(true);
    add('MFA login token', step1.body.mfa_token);
    // The first code was spent on enrolment: log in with a recovery code, not waiting for the next step.
    expectStatus(
      await merchant.post('/v1/auth/login/mfa', { mfa_token: step1.body.mfa_token, code: recoveryCodes[0] }),
      200,
    );
    sessionToken(merchant);
    await merchant.get('/v1/account/csrf');

    // ── API keys: one with the financial password, a second with a step-up token, the first revoked ──
    const wrongFinancial = add('wrong financial password', password('nofin'));
    expect(
      (await merchant.post('/v1/account/api_keys', { mode: 'test', financial_password: wrongFinancial }))
        .statusCode,
    ).toBeGreaterThanOrEqual(400);
    const key1 = await merchant.post('/v1/account/api_keys', { mode: 'test', financial_password: financial });
    expectStatus(key1, 201);
    add('API key (created)', key1.body.secret);
    const stepUp = await merchant.post('/v1/account/step_up', {
      financial_password: financial,
      operation: 'api_key.create',
    });
    expectStatus(stepUp, 200);
    add('step-up token', stepUp.body.step_up_token);
    const key2 = await merchant.post('/v1/account/api_keys', {
      mode: 'test',
      step_up_token: stepUp.body.step_up_token,
    });
    expectStatus(key2, 201);
    const apiKey = add('API key (rotated in)', key2.body.secret);
    expect(apiKey).toMatch(/^sk_test_/);
    expectStatus(await merchant.delete(`/v1/account/api_keys/${key1.body.id}`), 200);
    const api = new Browser(app);
    const call = (
      method: 'GET' | 'POST',
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => api.request(method, url, body, { authorization: `Bearer ${apiKey}`, ...headers });
    expect(
      (await call('GET', '/v1/payments', undefined, { authorization: `Bearer ${key1.body.secret}` }))
        .statusCode,
    ).toBe(401);

    // ── webhook endpoints: one from the account (financial password), one over the API with an Idempotency-Key ──
    const endpoint1 = await merchant.post('/v1/account/webhook_endpoints', {
      mode: 'test',
      url: receiver.url,
      event_types: ['*'],
      financial_password: financial,
    });
    expectStatus(endpoint1, 201);
    const whsec = add('webhook signing secret (account)', endpoint1.body.secret);
    const endpoint2 = await call(
      'POST',
      '/v1/webhook_endpoints',
      {
        url: `${receiver.url}?second=1`,
        event_types: ['payment.succeeded'],
        // Planted in clear, base64-encoded: the scan must find it in the dump and the tables.
        description: `control ${Buffer.from(PLANTED).toString('base64')}`,
      },
      { 'idempotency-key': `canary-${rand(6)}` },
    );
    expectStatus(endpoint2, 201);
    const whsec2 = add('webhook signing secret (API, with Idempotency-Key)', endpoint2.body.secret);

    // ── a staff member of the merchant, invited by mail, sets a password with the link ──
    const teamEmail = `team.${digits(6)}@shop.test`;
    expectStatus(await merchant.post('/v1/account/users', { login: teamEmail }), 202);
    const teamToken = add('merchant staff invite token', await smtp.tokenFor(teamEmail, /token=/));
    const teamPassword = add('merchant staff password', password('team'));
    expectStatus(
      await browser().post('/v1/auth/password/reset', { token: teamToken, new_password: teamPassword }),
      200,
    );
    const team = browser();
    expectStatus(await team.post('/v1/auth/login', { login: teamEmail, password: teamPassword }), 200);
    sessionToken(team);

    // ── card payments with the canary card (American Express: a 4-digit CID) ──
    const PAN = add('PAN', distinctivePan('37', 15), { pan: true });
    const CID = add(
      'CVC (4-digit CID)',
      freshNumber(4, 1000, 10_000, baseline, /^(19|20)\d\d$|^(1000|2500|5000|7300|9999)$/),
      { short: true },
    );
    const VISA_CVC = add(
      'CVC (3-digit, declined cards)',
      freshNumber(3, 600, 1000, baseline, /^(600|700|800|900|999)$/),
      {
        short: true,
      },
    );
    const card = (number = PAN, extra: Record<string, unknown> = {}) => ({
      number,
      exp_month: 11,
      exp_year: now.getUTCFullYear() + 4,
      cvc: number === PAN ? CID : VISA_CVC,
      ...extra,
    });
    const create = async (body: Record<string, unknown> = {}) => {
      const r = await call('POST', '/v1/payments', {
        amount: 7300,
        currency: 'EUR',
        method: 'card',
        ...body,
      });
      expectStatus(r, 201);
      return r.body.id as string;
    };
    const pay = (id: string, body: unknown) => browser().post(`/pay/${id}`, body);

    const oneStage = await create({ customer: { id: 'cus_canary' } });
    expect((await pay(oneStage, card(PAN, { save_card: true }))).body.status).toBe('succeeded');
    // A refund from the account with the financial password, another over the API.
    const refund = await merchant.post(`/v1/account/payments/${oneStage}/refunds`, {
      amount: 1000,
      financial_password: financial,
    });
    expectStatus(refund, 201);
    expect((await call('POST', `/v1/payments/${oneStage}/refunds`, {})).body.status).toBe('succeeded');
    const twoStage = await create({ capture_method: 'manual' });
    expect((await pay(twoStage, card())).body.status).toBe('authorized');
    expect((await call('POST', `/v1/payments/${twoStage}/capture`, { amount: 5000 })).body.status).toBe(
      'succeeded',
    );
    const saved = await call('GET', '/v1/customers/cus_canary/payment_methods');
    expect(saved.body.data, saved.rawBody).toHaveLength(1);
    const oneClick = await create({ customer_id: 'cus_canary', payment_method: saved.body.data[0].id });
    expect((await pay(oneClick, { cvc: CID })).body.status).toBe('succeeded');
    const declined = await create();
    expect((await pay(declined, card('4000000000000002'))).body.decline?.code).toBe('card_declined');
    expect((await pay(declined, card('4000000000000127'))).statusCode).toBeLessThan(500);
    const invalid = await create();
    for (const body of [
      card(PAN, { cvc: `${CID}1` }),
      card(`${PAN.slice(0, -1)}${(Number(PAN.at(-1)) + 1) % 10}`),
      card(PAN, { exp_year: 2001 }),
      card(PAN, { extra: PAN }),
      card(PAN, { number: Number(PAN) }),
    ])
      expect((await pay(invalid, body)).statusCode).toBe(400);
    const notJson = await app.inject({
      method: 'POST',
      url: `/pay/${invalid}`,
      headers: { 'content-type': 'application/json' },
      payload: `{"number":"${PAN}","cvc":"${CID}"`,
    });
    expect(notJson.statusCode).toBe(400);

    // ── a provider with an API secret (QIWI): bill created and refunded over its API, a signed notification ──
    const wallet = await create({ currency: 'RUB', method: 'qiwi_wallet', amount: 12_340 });
    qiwiSim.setStatus(wallet, 'PAID');
    const notification = qiwiSim.notification(wallet);
    const hook = (headers: Record<string, string>, payload: Buffer) =>
      app.inject({ method: 'POST', url: '/hooks/qiwi/default', headers, payload });
    // A forged one first (signed with a guessed key): refused.
    const forged = qiwiSim.notification(wallet, `guess-${rand(6)}`);
    expect((await hook(forged.headers, forged.rawBody)).statusCode).toBeGreaterThanOrEqual(400);
    expect((await hook(notification.headers, notification.rawBody)).statusCode).toBe(200);
    expect((await call('POST', `/v1/payments/${wallet}/refunds`, { amount: 2_000 })).body.status).toBe(
      'succeeded',
    );

    // ── PSP staff (invited with a one-time link) creates an issuer; the issuer's keys are rotated ──
    const staffEmail = `staff.${digits(6)}@psp.test`;
    const invite = await createPspUser(services.store, {
      login: staffEmail,
      role: 'admin',
      accountUrl: accounts.accountUrl,
      now: new Date(),
    });
    const inviteToken = add('PSP staff invite token', new URL(invite.link).searchParams.get('token') ?? '');
    const staffPassword = add('PSP staff password', password('staff'));
    expectStatus(
      await browser().post('/v1/auth/password/reset', { token: inviteToken, new_password: staffPassword }),
      200,
    );
    const staff = browser();
    expectStatus(await staff.post('/v1/auth/login', { login: staffEmail, password: staffPassword }), 200);
    sessionToken(staff);
    const issuer = await staff.post('/v1/backoffice/issuers', { name: `Canary Bank ${rand(4)}` });
    expectStatus(issuer, 201);
    const issuerTest = add('issuer API key (test)', issuer.body.keys.test);
    add('issuer API key (live)', issuer.body.keys.live);
    const rotated = await staff.post(`/v1/backoffice/issuers/${issuer.body.issuer.id}/keys`, {
      mode: 'test',
    });
    expectStatus(rotated, 201);
    const issuerKey = add('issuer API key (rotated in)', rotated.body.secret);
    const listed = await staff.get('/v1/backoffice/issuers');
    const oldKey = listed.body.data
      .find((i: { id: string }) => i.id === issuer.body.issuer.id)
      .keys.find((k: { id: string; mode: string }) => k.id !== rotated.body.id && k.mode === 'test');
    expectStatus(
      await staff.delete(`/v1/backoffice/issuers/${issuer.body.issuer.id}/keys/${oldKey.id}`),
      200,
    );
    const bank = new Browser(app);
    const asBank = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      bank.request(method, url, body, { authorization: `Bearer ${issuerKey}` });
    expect(
      (await bank.request('GET', '/v1/issuer/ranges', undefined, { authorization: `Bearer ${issuerTest}` }))
        .statusCode,
    ).toBe(401);
    // A range of its own (47xxxxxx: no sandbox card there), an enrolled card and its secret code.
    const prefix = `47${digits(6)}`;
    expectStatus(await asBank('POST', '/v1/issuer/ranges', { first: prefix, last: prefix }), 201);
    const enrolledPan = add('issuer-enrolled PAN', distinctivePan(prefix), { pan: true });
    const code1 = add('issuer cardholder code (first)', digits(12));
    const enrolment = await asBank('POST', '/v1/issuer/enrolments', {
      card: { number: enrolledPan, exp_month: 10, exp_year: now.getUTCFullYear() + 3 },
      code: code1,
    });
    expectStatus(enrolment, 201);
    const code2 = add('issuer cardholder code (reset)', digits(12));
    expectStatus(
      await asBank('POST', `/v1/issuer/enrolments/${enrolment.body.id}/code`, { code: code2 }),
      200,
    );
    const challenged = await create();
    const started = await pay(challenged, {
      number: enrolledPan,
      exp_month: 10,
      exp_year: now.getUTCFullYear() + 3,
      cvc: VISA_CVC,
    });
    expect(started.body.status, started.rawBody).toBe('requires_action');
    expect((await browser().post(`/pay/${challenged}/verify`, { code: code1 })).statusCode).toBe(422);
    expect((await browser().post(`/pay/${challenged}/verify`, { code: code2 })).body.status).toBe(
      'succeeded',
    );

    // ── a buyer with an email login: registration, a forgotten password, the reset ──
    const buyerEmail = `buyer.${digits(6)}@mail.test`;
    const buyerPassword = add('buyer password', password('buyer'));
    expectStatus(
      await browser().post('/v1/auth/register', {
        login: buyerEmail,
        password: buyerPassword,
        account_type: 'buyer',
      }),
      202,
    );
    add('buyer email confirmation token', await smtp.tokenFor(buyerEmail, /Confirm/));
    expectStatus(await browser().post('/v1/auth/email/confirm', { token: secrets.at(-1)?.value }), 200);
    expectStatus(await browser().post('/v1/auth/password/forgot', { login: buyerEmail }), 202);
    const resetToken = add('password reset token', await smtp.tokenFor(buyerEmail, /reset/i));
    const buyerPassword2 = add('buyer password (after reset)', password('reset'));
    expectStatus(
      await browser().post('/v1/auth/password/reset', { token: resetToken, new_password: buyerPassword2 }),
      200,
    );
    const buyer = browser();
    expectStatus(await buyer.post('/v1/auth/login', { login: buyerEmail, password: buyerPassword2 }), 200);
    sessionToken(buyer);

    // ── a buyer with a Telegram login (the bot token checks the widget data and sends the messages) ──
    const username = `canary_${digits(8)}`;
    const tgPassword = add('Telegram buyer password', password('tg'));
    const tg = browser();
    expectStatus(
      await tg.post('/v1/auth/register', {
        login: `@${username}`,
        password: tgPassword,
        account_type: 'buyer',
      }),
      202,
    );
    expectStatus(
      await tg.post('/v1/auth/telegram/confirm', {
        login: `@${username}`,
        password: tgPassword,
        telegram: signedTelegramData(
          { id: 700_000_000 + randomInt(1e8), username, auth_date: epoch() },
          env.BOT_TOKEN,
        ),
      }),
      200,
    );
    expectStatus(await tg.post('/v1/auth/login', { login: `@${username}`, password: tgPassword }), 200);
    sessionToken(tg);
    await tg.get('/v1/account/csrf');
    const tgPassword2 = add('Telegram buyer password (changed)', password('tg2'));
    expectStatus(
      await tg.post('/v1/account/password', { current_password: tgPassword, new_password: tgPassword2 }),
      200,
    );

    // ── everything delivered: signed webhooks, mail over authenticated SMTP, a Telegram message ──
    const signedWith = (secret: string) =>
      waitFor(
        () =>
          receiver.received.find(
            (r) =>
              r.status === 200 &&
              verifyWebhook({ body: r.body, header: r.headers[SIGNATURE_HEADER.toLowerCase()], secret }),
          ),
        60_000,
      );
    await signedWith(whsec);
    await signedWith(whsec2);
    await waitFor(() => (telegram.messages.length > 0 ? true : undefined), 30_000);
    await accounts.notifier.idle();
    expect(smtp.authenticated()).toBeGreaterThan(0);
    await jobs?.stop();
    jobs = undefined;

    // ── the three sources: a real pg_dump, every table over SQL, every log line ──
    const dump = await pgDump();
    expect(dump).toContain('CREATE TABLE');
    expect(dump).toMatch(/COPY [^\n]*users /);
    const { pool } = services.store as PostgresStore;
    const tables = await pool.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
    );
    const rows: string[] = [];
    for (const { name } of tables.rows) {
      const result = await pool.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${name} t`);
      for (const r of result.rows) rows.push(`${name} ${r.row}`);
    }
    const sql = rows.join('\n');
    const log = logs.join('\n');
    expect(tables.rows.length).toBeGreaterThan(10);
    expect(logs.length).toBeGreaterThan(100);
    // The most verbose level was on, for the request logger and for the services' logger.
    expect(app.log.level).toBe('trace');
    expect((services.logger as pino.Logger).level).toBe('trace');

    // ── the scanner works: positive controls on each source and each encoding ──
    const control: Secret = { kind: 'control', value: `ctl-${rand(12)}"/+%\\x` };
    const encoded = formsOf(control);
    for (const { form, text } of encoded) {
      const planted = `…${'a'.repeat(randomInt(3))}${text}…`;
      expect(
        scan([control], { planted }).map((h) => h.form),
        form,
      ).toContain(form);
    }
    for (const shift of ['', 'x', 'xy'])
      expect(
        scan([control], { b64: Buffer.from(`${shift}${control.value}!`).toString('base64') }).length,
      ).toBeGreaterThan(0);
    const grouped = `${PAN.slice(0, 4)} ${PAN.slice(4, 10)} ${PAN.slice(10)}`;
    expect(scan([{ kind: 'pan', value: PAN, pan: true }], { t: `card ${grouped}.` })).toHaveLength(1);
    expect(scan([{ kind: 'cid', value: CID, short: true }], { t: `{"cvc":"${CID}"}` })).toHaveLength(1);
    const shop: Secret = { kind: 'merchant name (stored in clear)', value: SHOP_NAME };
    const planted: Secret = { kind: 'planted', value: PLANTED };
    const controlHits = scan([shop, planted, { kind: 'payment id', value: oneStage }], { dump, sql, log });
    expect(controlHits.filter((h) => h.kind === 'planted').map((h) => `${h.source}/${h.form}`)).toEqual(
      expect.arrayContaining(['dump/base64', 'sql/base64', 'log/as is']),
    );
    const where = (kind: string) => new Set(controlHits.filter((h) => h.kind === kind).map((h) => h.source));
    expect([...where(shop.kind)]).toEqual(expect.arrayContaining(['dump', 'sql']));
    expect(
      controlHits.some((h) => h.kind === shop.kind && h.source === 'sql' && h.form === 'JSON-escaped'),
    ).toBe(true);
    expect([...where('payment id')]).toEqual(expect.arrayContaining(['dump', 'log', 'sql']));

    // ── the hashes are hashes ──
    const users = await pool.query<{
      password_hash: string;
      financial_password_hash: string | null;
      totp_secret: string | null;
    }>(`SELECT password_hash, financial_password_hash, totp_secret FROM users WHERE login = $1`, [
      ownerEmail,
    ]);
    expect(users.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(users.rows[0]?.financial_password_hash).toMatch(/^\$argon2id\$/);
    expect(users.rows[0]?.totp_secret).toMatch(/^v1\./);

    // ── the scan ──
    const hits = scan(secrets, { dump, sql, log });
    // `payload`: the raw body (test helpers replace `body` with the parsed JSON).
    const responseText = responses.map((r) => `${r.statusCode} ${JSON.stringify(r.headers)} ${r.payload}`);
    // Short numbers are left out: a 3- or 4-digit number turns up in any header or body by chance.
    const shownIn = (s: Secret) =>
      s.short ? 0 : responseText.filter((t) => scan([s], { t }).length > 0).length;
    const shownOnce = [
      ...new Set(secrets.filter((s) => shownIn(s) > 0).map((s) => s.kind.replace(/ \d+$/, ''))),
    ];
    console.log(
      `secret canary: ${secrets.length} secrets, ${hits.length} found; dump ${dump.length} B, ` +
        `${rows.length} rows in ${tables.rows.length} tables, ${logs.length} log lines; ` +
        `in HTTP answers: ${shownOnce.join('; ')}`,
    );
    expect(
      hits,
      `secrets found:\n${hits.map((h) => `${h.kind} in ${h.source} (${h.form}): …${h.context}…`).join('\n')}`,
    ).toEqual([]);

    // Shown once: API keys, issuer keys, webhook secrets, the TOTP secret and recovery codes appear in
    // exactly one answer (their creation), never in a later list or read.
    for (const kind of [
      'API key (created)',
      'API key (rotated in)',
      'issuer API key (test)',
      'issuer API key (live)',
      'issuer API key (rotated in)',
      'webhook signing secret (account)',
      'webhook signing secret (API, with Idempotency-Key)',
      'TOTP secret',
      'TOTP recovery code 1',
    ]) {
      const s = secrets.find((x) => x.kind === kind)!;
      expect(shownIn(s), kind).toBe(1);
    }
    // Never in any answer: card data, passwords, codes, server keys (the CVCs: as a card field).
    for (const s of secrets.filter((x) => /PAN|password|PAYRAIL_|provider|cardholder/.test(x.kind)))
      expect(shownIn(s), s.kind).toBe(0);
    for (const text of responseText) expect(text).not.toMatch(/"(cvc|cvv|cid|cvc2)"\s*:/i);

    // Recovery codes are stored as argon2id (not as a plain SHA-256 a dump could be searched against);
    // a code stored the old way, before that, still works once.
    const owner1 = await services.store.users.findByLogin({ login: ownerEmail });
    expect(owner1?.recoveryCodeHashes.every((h) => h.startsWith('$argon2id$'))).toBe(true);
    const legacyCode = 'abcde-01234';
    await updateUser(
      services.store,
      owner1!.id,
      (u) => ({
        recoveryCodeHashes: [...u.recoveryCodeHashes, createHash('sha256').update(legacyCode).digest('hex')],
      }),
      new Date(),
    );
    for (const [code, status] of [
      [legacyCode, 200],
      [legacyCode, 401],
      [recoveryCodes[1], 200],
    ] as const) {
      const b = browser();
      const first = await b.post('/v1/auth/login', { login: ownerEmail, password: ownerPassword });
      const second = await b.post('/v1/auth/login/mfa', { mfa_token: first.body.mfa_token, code });
      expect(second.statusCode, `${code}: ${second.rawBody}`).toBe(status);
    }
  });
});
