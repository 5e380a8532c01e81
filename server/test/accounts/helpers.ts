import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type Clock, type Logger, ManualClock, silentLogger } from '@payrail/core';
import { type MswLoopbackServer, serveMswHandlers } from '@payrail/testkit';
import type { FastifyInstance } from 'fastify';
import { HttpResponse, http } from 'msw';
import { SMTPServer } from 'smtp-server';
import { ACCOUNT_DEFAULTS, type AccountsOptions } from '../../src/accounts/accounts-options';
import { smtpMailer } from '../../src/accounts/notifications/mailer';
import { createNotifier, type Notifier } from '../../src/accounts/notifications/notifier';
import { telegramBot } from '../../src/accounts/notifications/telegram-bot';
import { hashPassword } from '../../src/accounts/password-hashing';
import { telegramLoginHash } from '../../src/accounts/telegram-login';
import { newUser } from '../../src/accounts/user-record';
import { createSecretBox } from '../../src/webhooks/secret-box';
import { type ApiResponse, createTestApp, inject, type StoreKind, type TestApp } from '../helpers/test-app';

export const BOT_TOKEN = '123456789:AAHk-test-token-for-payrail-tests_xyz';
export const STRONG_PASSWORD = 'Correct-Horse-7-Battery';

/** One message received by the in-process SMTP server, decoded enough to read links. */
export interface ReceivedMail {
  to: string[];
  raw: string;
  subject: string;
  /** The body with quoted-printable soft breaks and escapes decoded. */
  body: string;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => `%${hex}`);
  try {
    return decodeURIComponent(bytes);
  } catch {
    return bytes;
  }
}

/** A real SMTP server on a loopback port (smtp-server); nodemailer sends to it with plain SMTP. */
export async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
          body: decodeQuotedPrintable(raw),
        });
        for (const wake of waiters.splice(0)) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    /** Resolves with the first mail to `address` matching `subject` (waits for delivery, no timer). */
    async waitFor(address: string, subject: RegExp): Promise<ReceivedMail> {
      for (;;) {
        const found = mails.find((m) => m.to.includes(address) && subject.test(m.subject));
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/** Telegram's Bot API `sendMessage`, as documented (https://core.telegram.org/bots/api#sendmessage). */
export function telegramApiHandlers() {
  return [
    http.post('*/bot:token/sendMessage', async ({ request, params }) => {
      if (params.token !== BOT_TOKEN) {
        return HttpResponse.json(
          { ok: false, error_code: 401, description: 'Unauthorized' },
          { status: 401 },
        );
      }
      const body = (await request.json()) as { chat_id?: string | number; text?: string };
      if (!body.chat_id || !body.text) {
        return HttpResponse.json(
          { ok: false, error_code: 400, description: 'Bad Request: message text is empty' },
          { status: 400 },
        );
      }
      return HttpResponse.json({
        ok: true,
        result: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(body.chat_id), type: 'private' },
          text: body.text,
        },
      });
    }),
  ];
}

/** Login Widget data signed with the test bot's token, exactly as Telegram would sign it. */
export function signedTelegramData(
  fields: { id: number; username?: string; first_name?: string; auth_date: number },
  token = BOT_TOKEN,
) {
  const data: Record<string, string | number> = { ...fields };
  return { ...data, hash: telegramLoginHash(data, token) } as typeof fields & { hash: string };
}

export interface AccountsTestApp extends TestApp {
  smtp: Smtp;
  telegram: MswLoopbackServer;
  notifier: Notifier;
  clock: ManualClock;
  /** A new browser with its own cookie jar. */
  browser(ip?: string): Browser;
}

/** An app with a real SMTP server, a loopback Telegram Bot API and a hand-moved clock. */
export async function createAccountsTestApp(
  overrides: Partial<AccountsOptions> = {},
  logger: Logger = silentLogger,
  store: StoreKind = 'pglite',
): Promise<AccountsTestApp> {
  const smtp = await startSmtp();
  const telegram = await serveMswHandlers(telegramApiHandlers());
  const clock = new ManualClock(new Date());
  const notifier = createNotifier({
    mailer: smtpMailer({
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      from: 'Payrail <no-reply@payrail.test>',
    }),
    telegram: telegramBot({ token: BOT_TOKEN, apiOrigin: telegram.origin }),
    logger,
    retryDelaysMs: [10, 10],
  });
  const accounts: AccountsOptions = {
    ...ACCOUNT_DEFAULTS,
    accountUrl: 'https://account.payrail.test',
    cookieSecret: 'test-cookie-secret-0123456789abcdef0123456789',
    rateLimitPerIp: 1000,
    rateLimitPerLogin: 1000,
    telegramBotToken: BOT_TOKEN,
    notifier,
    ...overrides,
  };
  // A random server secrets key per app: TOTP secrets are sealed with it.
  const t = await createTestApp({
    clock: clock as Clock,
    accounts,
    store,
    secretBox: createSecretBox(randomBytes(32)),
  });
  return {
    ...t,
    smtp,
    telegram,
    notifier,
    clock,
    browser: (ip?: string) => new Browser(t.app, ip),
    async close() {
      await t.close();
      await telegram.close();
      await smtp.close();
    },
  };
}

/** A client that keeps cookies like a browser and sends the CSRF token it was last given. */
export class Browser {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly ip = '127.0.0.1',
  ) {}

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await inject(this.app, {
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'user-agent': 'vitest-browser',
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    for (const c of response.cookies as Array<{
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }>) {
      const expired =
        c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (typeof response.body?.csrf_token === 'string') this.csrfToken = response.body.csrf_token;
    return response;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', url, body ?? {}, headers);
  delete = (url: string, headers?: Record<string, string>) => this.request('DELETE', url, undefined, headers);
  put = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('PUT', url, body ?? {}, headers);
}

let counter = 0;
/** A unique email login for a test. */
export const uniqueEmail = (prefix = 'user') =>
  `${prefix}.${Date.now().toString(36)}${(counter++).toString(36)}@example.com`;

/** The token in a mailed link (`…?token=…`). */
export function tokenFrom(mail: ReceivedMail): string {
  const match = /token=([A-Za-z0-9_-]{20,})/.exec(mail.body);
  if (!match?.[1]) throw new Error(`no token link in mail "${mail.subject}"`);
  return match[1];
}

/** Registers and confirms an email account, then logs in; returns the logged-in browser. */
export async function registeredUser(
  t: AccountsTestApp,
  options: { accountType?: 'merchant' | 'buyer'; email?: string; password?: string; ip?: string } = {},
) {
  const email = options.email ?? uniqueEmail(options.accountType ?? 'merchant');
  const password = options.password ?? STRONG_PASSWORD;
  const browser = t.browser(options.ip);
  const reg = await browser.post('/v1/auth/register', {
    login: email,
    password,
    account_type: options.accountType ?? 'merchant',
  });
  if (reg.statusCode !== 202) throw new Error(`register failed: ${reg.rawBody}`);
  const mail = await t.smtp.waitFor(email, /Confirm your Payrail account/);
  const confirmed = await browser.post('/v1/auth/email/confirm', { token: tokenFrom(mail) });
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.rawBody}`);
  const login = await browser.post('/v1/auth/login', { login: email, password });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.rawBody}`);
  return { browser, email, password, user: login.body.user as { id: string; merchant_id: string | null } };
}

export type { ApiResponse };

/**
 * A logged-in PSP staff member (admin or support). Staff accounts are not self-registered: production
 * creates them with `payrail psp-user create`; a test inserts a confirmed record directly.
 */
export async function pspStaff(t: AccountsTestApp, role: 'admin' | 'support', options: { ip?: string } = {}) {
  const email = uniqueEmail(role);
  const now = t.clock.now();
  const user = newUser(
    {
      accountType: 'psp',
      role,
      merchantId: null,
      login: email,
      loginKind: 'email',
      passwordHash: await hashPassword(STRONG_PASSWORD),
      locale: 'en',
    },
    now,
  );
  const inserted = await t.store.users.insert({ user: { ...user, emailConfirmedAt: now } });
  if (!inserted.ok) throw new Error('psp staff login taken');
  const browser = t.browser(options.ip);
  const login = await browser.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`staff login failed: ${login.rawBody}`);
  return { browser, email, password: STRONG_PASSWORD, user: login.body.user as { id: string } };
}
