// Fuzzing of every operation in the OpenAPI document (issue 7). The test fetches GET /openapi.json,
// checks that it lists every route the server has, and for each operation derives fast-check arbitraries
// from its JSON schemas (path parameters, query, body): schema-valid requests, and requests that break the
// schema in one place (wrong type, missing required field, unknown field, out of range, too long or huge
// string, malformed JSON, wrong content type, unknown or malformed path ids), sent with the credentials of
// the route's family and also without them / with another family's / without the CSRF token. Every answer
// must be below 500, every error must have the catalogue's shape, every request the schema forbids must be
// refused, and a refused request must write nothing: row triggers log every insert, update and delete of
// every table (an update is logged when it changes anything outside the few ignored columns below), and
// the log must not grow during a refused request.
//
// Budget: RUNS_PER_OPERATION generated cases per operation (×10 with PAYRAIL_RELIABILITY_LONG=1);
// PAYRAIL_PROPERTY_SEED=<seed> replays a run (the seed is printed).
import { randomBytes } from 'node:crypto';
import { ERROR_CATALOGUE, ID_PREFIXES, type IdKind, newId } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys';
import { createIssuer } from '../../src/issuers/create-issuer';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  pspStaff,
  registeredUser,
} from '../accounts/helpers';
import { withCsrf } from '../buyer/buyer-helpers';
import { type ApiResponse, cardPayload, inject } from '../helpers/test-app';

const LONG = process.env.PAYRAIL_RELIABILITY_LONG === '1';
/** Generated cases per operation; each case is one to three requests (credential variants). */
const RUNS_PER_OPERATION = LONG ? 100 : 10;
const SEED = process.env.PAYRAIL_PROPERTY_SEED
  ? Number(process.env.PAYRAIL_PROPERTY_SEED)
  : Math.floor(Math.random() * 2 ** 31);

const CODES = new Set(Object.keys(ERROR_CATALOGUE));

/**
 * What a refused request legitimately writes, left out of the "nothing written" check. Each is a deliberate
 * side effect of the request reaching the server, never data from its refused payload; any other insert,
 * update or delete in any table fails the test.
 */
const IGNORED_COLUMNS: Record<string, string[]> = {
  // Authentication runs before validation and records the key's last use (server/src/http/auth.ts,
  // issuers/issuer-auth.ts).
  api_keys: ['last_used_at'],
  issuer_api_keys: ['last_used_at'],
  // A refused login or financial password counts towards the lockout: that is what refusing it means.
  users: ['login_failures', 'login_locked_until', 'financial_failures', 'financial_locked_until'],
};
/** Rows a refused request may add: failed logins and financial-password attempts are audited by design. */
const AUDITED_REFUSALS = new Set([
  'login.failed',
  'login.locked',
  'financial_password.failed',
  'financial_password.locked',
]);
// And idempotency_keys: a 4xx decided by the handler is stored, so that a retry with the same key replays
// it (server/src/http/idempotency.ts). Such a key is left out when its final state is "completed" with a
// 4xx; a key claimed by a request refused in authentication or validation, or left in flight, still fails.

/**
 * Every write to every table lands in fuzz_changes (row triggers; an UPDATE that changes nothing outside
 * the ignored columns is not recorded). A refused request must add nothing to it.
 */
const CHANGE_LOG_SQL = `
CREATE TABLE fuzz_changes (seq bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, row jsonb);
CREATE FUNCTION fuzz_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n jsonb;
  o jsonb;
  k text;
BEGIN
  IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
  IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
  IF TG_NARGS > 0 THEN
    FOREACH k IN ARRAY TG_ARGV LOOP n := n - k; o := o - k; END LOOP;
  END IF;
  IF TG_OP = 'UPDATE' AND n = o THEN RETURN NULL; END IF;
  INSERT INTO fuzz_changes (tbl, op, row) VALUES (TG_TABLE_NAME, TG_OP, coalesce(n, o));
  RETURN NULL;
END $$;`;

// ---------------------------------------------------------------------------------------------------
// JSON Schema (OpenAPI 3.0 dialect, as @fastify/swagger emits the zod schemas) → fast-check
// ---------------------------------------------------------------------------------------------------

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
}

const typeOf = (s: Schema): string | undefined => (Array.isArray(s.type) ? s.type[0] : s.type);

/** Strings with the characters servers trip on: NUL, control characters, quotes, non-BMP, RTL marks. */
const nastyString = (minLength: number, maxLength: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary-ascii' }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
  );

function safeRegExp(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern);
  } catch {
    try {
      return new RegExp(pattern, 'u');
    } catch {
      return null;
    }
  }
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? min + 40, min + 60);
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY);
  if (s.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.pattern) {
    const re = safeRegExp(s.pattern);
    // fc.stringMatching builds strings from the regex; a pattern it cannot handle falls back to strings.
    if (re) {
      try {
        return fc.stringMatching(re).filter(fits);
      } catch {
        /* fall through */
      }
    }
  }
  if (s.format === 'uri') return fc.webUrl().filter(fits);
  if (s.format === 'email') return fc.emailAddress().filter(fits);
  // Now and then exactly as long as allowed: column widths must hold what the schema lets through.
  return s.maxLength !== undefined && s.maxLength <= 5000
    ? fc.oneof({ weight: 5, arbitrary: nastyString(min, max) }, fc.constant('é'.repeat(s.maxLength)))
    : nastyString(min, max);
}

function numberArb(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const exclMin = s.exclusiveMinimum === true;
  const exclMax = s.exclusiveMaximum === true;
  let min = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : -1e9);
  let max = s.maximum ?? (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : 1e9);
  if (integer) {
    min = Math.max(
      Math.ceil(min) + (exclMin || typeof s.exclusiveMinimum === 'number' ? 1 : 0),
      -(2 ** 53 - 1),
    );
    max = Math.min(
      Math.floor(max) - (exclMax || typeof s.exclusiveMaximum === 'number' ? 1 : 0),
      2 ** 53 - 1,
    );
    // Small values most of the time (ids, pages, amounts), the edges sometimes.
    const small = fc.integer({
      min: Math.max(min, -1000),
      max: Math.min(max, Math.max(min, -1000) + 100_000),
    });
    return fc.oneof({ weight: 4, arbitrary: small }, fc.constantFrom(min, max), fc.integer({ min, max }));
  }
  return fc.double({
    min,
    max,
    noNaN: true,
    noDefaultInfinity: true,
    minExcluded: exclMin,
    maxExcluded: exclMax,
  });
}

/** Values the schema accepts (as far as the document says). */
function validArb(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  const base = validArbNotNull(s, depth);
  return s.nullable ? fc.oneof({ weight: 5, arbitrary: base }, fc.constant(null)) : base;
}

function validArbNotNull(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((a) => validArb(a, depth)));
  if (s.allOf && s.allOf.length > 0) return validArb(Object.assign({}, ...s.allOf), depth);
  switch (typeOf(s)) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? minLength + 3, minLength + 3);
      return fc.array(s.items ? validArb(s.items, depth + 1) : smallJson, { minLength, maxLength });
    }
    case 'object':
      return objectArb(s, depth);
    default:
      if (s.properties) return objectArb(s, depth);
      return smallJson;
  }
}

const smallJson = fc.jsonValue({ maxDepth: 2 });

function objectArb(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = validArb(v, depth + 1);
  const record = fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
  const extra = s.additionalProperties;
  if (extra && typeof extra === 'object' && depth < 3) {
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in props) && k !== '__proto__');
    return fc
      .tuple(record, fc.dictionary(key, validArb(extra, depth + 1), { maxKeys: 3 }))
      .map(([r, d]) => ({ ...d, ...r }));
  }
  return record as fc.Arbitrary<Record<string, unknown>>;
}

/** A JSON value of another type than the schema's (null only when not nullable). */
function wrongTypeArb(s: Schema): fc.Arbitrary<unknown> | null {
  const t = typeOf(s);
  if (!t || s.oneOf || s.anyOf) return null;
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (t !== 'string') candidates.push(fc.string({ maxLength: 10 }));
  if (t !== 'integer' && t !== 'number') candidates.push(fc.integer());
  if (t === 'integer') candidates.push(fc.constantFrom(1.5, -0.25, 1e300));
  if (t !== 'boolean') candidates.push(fc.boolean());
  if (t !== 'array') candidates.push(fc.array(fc.nat(), { maxLength: 2 }));
  if (t !== 'object') candidates.push(fc.constant({ x: 1 }));
  if (!s.nullable) candidates.push(fc.constant(null));
  return fc.oneof(...candidates);
}

interface Invalid {
  value: unknown;
  why: string;
}

/**
 * Values the schema refuses, each broken in one place (and `why` says where). `inQuery`: the value will be
 * a query-string or path text, where only text-level breakage (range, length, enum, not-a-number) counts.
 */
function invalidArb(s: Schema, inQuery: boolean, depth = 0): fc.Arbitrary<Invalid> | null {
  const options: fc.Arbitrary<Invalid>[] = [];
  const t = typeOf(s);
  if (!inQuery) {
    const wrong = wrongTypeArb(s);
    if (wrong) options.push(wrong.map((value) => ({ value, why: `wrong type for ${t}` })));
  }
  if (s.enum?.every((e) => typeof e === 'string')) {
    const known = new Set((s.enum as string[]).map((e) => e.trim().toLowerCase()));
    options.push(
      fc
        .string({ maxLength: 20 })
        .filter((v) => !known.has(v.trim().toLowerCase()))
        .map((value) => ({ value, why: 'not in enum' })),
    );
  } else if (t === 'string') {
    if (s.maxLength !== undefined) {
      options.push(
        fc
          .integer({ min: s.maxLength + 1, max: s.maxLength + 50 })
          .map((n) => ({ value: 'x'.repeat(n), why: `longer than maxLength ${s.maxLength}` })),
      );
    }
    if ((s.minLength ?? 0) > 0) options.push(fc.constant({ value: '', why: 'empty, minLength > 0' }));
  } else if (t === 'integer' || t === 'number') {
    const min = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined);
    const max = s.maximum ?? (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : undefined);
    const exclMin = s.exclusiveMinimum === true || typeof s.exclusiveMinimum === 'number';
    const exclMax = s.exclusiveMaximum === true || typeof s.exclusiveMaximum === 'number';
    const text = (n: number) => (inQuery ? String(n) : n);
    if (min !== undefined)
      options.push(
        fc
          .integer({ min: 0, max: 1000 })
          .map((d) => ({ value: text(min - d - (exclMin ? 0 : 1)), why: `below minimum ${min}` })),
      );
    if (max !== undefined)
      options.push(
        fc
          .integer({ min: 0, max: 1000 })
          .map((d) => ({ value: text(max + d + (exclMax ? 0 : 1)), why: `above maximum ${max}` })),
      );
    if (inQuery)
      options.push(
        fc
          .constantFrom('abc', '1e', '', '--1', '0x', 'NaN', '1,5', '½')
          .map((value) => ({ value, why: 'not a number' })),
      );
    if (t === 'integer' && inQuery) options.push(fc.constant({ value: '1.5', why: 'not an integer' }));
  } else if ((t === 'object' || s.properties) && !inQuery && depth < 3) {
    const props = s.properties ?? {};
    for (const key of s.required ?? []) {
      options.push(
        objectArb(s, depth).map((o) => {
          const { [key]: _gone, ...rest } = o;
          return { value: rest, why: `missing required ${key}` };
        }),
      );
    }
    if (s.additionalProperties === false) {
      options.push(
        fc
          .tuple(
            objectArb(s, depth),
            fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in props) && k !== '__proto__'),
            smallJson,
          )
          .map(([o, k, v]) => ({ value: { ...o, [k]: v }, why: `unknown field ${JSON.stringify(k)}` })),
      );
    }
    for (const [key, prop] of Object.entries(props)) {
      const bad = invalidArb(prop, false, depth + 1);
      if (!bad) continue;
      options.push(
        fc
          .tuple(objectArb(s, depth), bad)
          .map(([o, b]) => ({ value: { ...o, [key]: b.value }, why: `${key}: ${b.why}` })),
      );
    }
  } else if (t === 'array' && !inQuery) {
    if (s.minItems !== undefined && s.minItems > 0)
      options.push(fc.constant({ value: [], why: `fewer than minItems ${s.minItems}` }));
    if (s.maxItems !== undefined && s.maxItems < 200 && s.items)
      options.push(
        validArb(s.items).map((item) => ({
          value: Array.from({ length: (s.maxItems ?? 0) + 1 }, () => item),
          why: `more than maxItems ${s.maxItems}`,
        })),
      );
    if (s.items) {
      const bad = invalidArb(s.items, false, depth + 1);
      if (bad)
        options.push(
          fc
            .tuple(fc.array(validArb(s.items), { maxLength: 2 }), bad)
            .map(([ok, b]) => ({ value: [...ok, b.value], why: `item: ${b.why}` })),
        );
    }
  }
  return options.length > 0 ? fc.oneof(...options) : null;
}

// ---------------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------------

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: { required: boolean; schema: Schema } | null;
  family: Family;
}
type Family = 'merchant-api' | 'issuer-api' | 'account' | 'buyer' | 'backoffice' | 'auth' | 'public';

function familyOf(path: string): Family {
  if (path.startsWith('/v1/issuer/')) return 'issuer-api';
  if (path.startsWith('/v1/account/buyer/')) return 'buyer';
  if (path.startsWith('/v1/account/')) return 'account';
  if (path.startsWith('/v1/backoffice/')) return 'backoffice';
  if (path.startsWith('/v1/auth/')) return 'auth';
  if (path.startsWith('/v1/public/') || !path.startsWith('/v1/')) return 'public';
  return 'merchant-api';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operationsOf(doc: {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: unknown }>>;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const rb = op.requestBody as
        | { required?: boolean; content?: Record<string, { schema?: Schema }> }
        | undefined;
      const schema = rb?.content?.['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: schema ? { required: rb?.required === true, schema } : null,
        family: familyOf(path),
      });
    }
  }
  return ops;
}

/**
 * The router's routes as "METHOD /path" (HEAD left out: Fastify adds one per GET), from printRoutes' tree
 * (`├── /segment (GET, POST)`, four characters of indentation per level).
 */
function routerOperations(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match?.[2]) continue;
    const depth = (match[1] ?? '').length / 4 + (line.includes('── ') ? 1 : 0);
    stack.length = depth;
    stack[depth] = match[2];
    const path = stack.join('');
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (method && method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return routes;
}

/** Routes with `hide: true` in their schema, on purpose not in the document: the document and its UI. */
const UNDOCUMENTED = /^(GET \/docs(\/.*|\*)?|GET \/openapi\.json)$/;

// ---------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------

/**
 * Path parameters that are the caller's own free-form keys, not ids of stored objects: any value is a valid
 * request (an unknown one is an empty answer), so junk there is not refused by construction.
 */
const FREE_FORM_PATH_PARAMS = new Set([
  // the merchant's own customer id (customer.id on payments): an unknown customer has no saved cards
  '/v1/customers/{id}/payment_methods id',
]);

/** The kind of id a path's collection segment takes (`/payments/{id}` → pay_…), for existing ids. */
const PATH_ID_KINDS: Record<string, IdKind> = {
  payments: 'payment',
  pay: 'payment',
  refunds: 'refund',
  events: 'event',
  webhook_endpoints: 'webhookEndpoint',
  payment_methods: 'paymentMethod',
  'saved-cards': 'paymentMethod',
  shops: 'shop',
  reviews: 'payment',
  lists: 'antifraudListEntry',
  sessions: 'session',
  api_keys: 'apiKey',
  users: 'user',
  tickets: 'ticket',
  attachments: 'ticketAttachment',
  applications: 'application',
  merchants: 'merchant',
  'acquiring-banks': 'acquiringBank',
  issuers: 'issuer',
  keys: 'apiKey',
  ranges: 'iinRange',
  enrolments: 'enrolment',
};

type Credentials = 'own' | 'none' | 'foreign' | 'no-csrf';
interface Case {
  /** The values of the request; `mustReject` when the document says the server must refuse it. */
  pathValues: Record<string, string>;
  query: Record<string, string>;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };
  mustReject: string | null;
  credentials: Credentials;
}

const queryText = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

describe('OpenAPI fuzzing: every operation, generated from its schemas', () => {
  let t: AccountsTestApp;
  let store: PostgresStore;
  let doc: Parameters<typeof operationsOf>[0];
  let operations: Operation[];
  const creds = {} as {
    merchantKey: string;
    issuerKey: string;
    merchant: Browser;
    buyer: Browser;
    admin: Browser;
  };
  let merchantLogin: { login: string; password: string };
  let buyerLogin: { login: string; password: string };
  let adminLogin: { login: string; password: string };
  let merchantId: string;
  let idsSql: string;
  const sentByFamily = new Map<Family, number>();
  const statuses = new Map<number, number>();
  /** Per family and kind of case (schema-valid or broken), how many were accepted and refused. */
  const outcomes = new Map<string, { refused: number; accepted: number }>();

  beforeAll(async () => {
    t = await createAccountsTestApp(
      { rateLimitPerIp: 1_000_000, rateLimitPerLogin: 1_000_000 },
      undefined,
      'postgres',
    );
    store = t.store as PostgresStore;
    doc = (await inject(t.app, { method: 'GET', url: '/openapi.json' })).body;
    operations = operationsOf(doc);

    // The credentials of each family: a self-registered merchant (session and a test API key), a buyer,
    // a PSP admin, an issuer.
    const merchant = await registeredUser(t, { accountType: 'merchant' });
    merchantLogin = { login: merchant.email, password: merchant.password };
    merchantId = merchant.user.merchant_id as string;
    creds.merchant = await withCsrf(merchant.browser);
    const key = generateApiKey(merchantId, 'test', t.clock.now());
    await store.apiKeys.insert({ apiKey: { ...key.record, expiresAt: null, lastUsedAt: null } });
    creds.merchantKey = key.secret;
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    buyerLogin = { login: buyer.email, password: buyer.password };
    creds.buyer = await withCsrf(buyer.browser);
    const admin = await pspStaff(t, 'admin');
    adminLogin = { login: admin.email, password: admin.password };
    creds.admin = await withCsrf(admin.browser);
    const issuer = await createIssuer(store, { name: 'Fuzz Bank', now: t.clock.now() });
    creds.issuerKey = issuer.keys.test;

    // Objects for the path ids to point at: payments in several states, a refund, events.
    const api = (method: 'POST' | 'GET', url: string, body?: unknown) =>
      inject(t.app, {
        method,
        url,
        headers: { authorization: `Bearer ${creds.merchantKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const pay = async (extra: Record<string, unknown> = {}) => {
      const p = await api('POST', '/v1/payments', {
        amount: 1000,
        currency: 'USD',
        method: 'card',
        ...extra,
      });
      expect(p.statusCode, p.rawBody).toBe(201);
      return p.body.id as string;
    };
    const paid = await pay({ customer_id: 'cus_fuzz' });
    await t.anonymous.post(`/pay/${paid}`, cardPayload());
    await api('POST', `/v1/payments/${paid}/refunds`, { amount: 100 });
    const authorized = await pay({ capture_method: 'manual' });
    await t.anonymous.post(`/pay/${authorized}`, cardPayload());
    await pay();
    const shop = await api('POST', '/v1/shops', { name: 'Fuzz shop', url: 'https://shop.example' });
    expect(shop.statusCode, shop.rawBody).toBeLessThan(500);
    const bank = await creds.admin.post('/v1/backoffice/acquiring-banks', { name: 'Fuzz Acquirer' });
    expect(bank.statusCode, bank.rawBody).toBeLessThan(500);

    // The change log's triggers on every table, and a query for the ids that exist.
    const { rows: columns } = await store.pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const tables = [...new Set(columns.map((c) => c.table_name))].filter((n) => n !== 'payrail_migrations');
    expect(tables.length).toBeGreaterThan(30);
    await store.pool.query(CHANGE_LOG_SQL);
    for (const name of tables) {
      const args = (IGNORED_COLUMNS[name] ?? []).map((c) => `'${c}'`).join(', ');
      await store.pool.query(
        `CREATE TRIGGER fuzz_watch AFTER INSERT OR UPDATE OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION fuzz_record(${args})`,
      );
    }
    const idTables = tables.filter((name) =>
      columns.some((c) => c.table_name === name && c.column_name === 'id'),
    );
    idsSql = idTables
      .map((name) => `(SELECT id::text AS id FROM "${name}" ORDER BY id DESC LIMIT 20)`)
      .join(' UNION ALL ');
    idsSql += ` UNION ALL (SELECT email::text FROM buyer_contacts LIMIT 5)`;
  }, 180_000);

  afterAll(async () => {
    console.info(
      `OpenAPI fuzz (seed ${SEED}): ${Math.round(timing.requestsMs)} ms in requests, ${Math.round(timing.checksMs)} ms in write checks; requests per route family ${JSON.stringify(Object.fromEntries(sentByFamily))}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    console.info(`OpenAPI fuzz: outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    await t?.close();
  });

  const timing = { requestsMs: 0, checksMs: 0 };
  /** The change log's position: the writes after it are the next request's. */
  async function mark(): Promise<number> {
    const started = performance.now();
    // Messages a request queued are delivered in the background: wait for them, they are its writes.
    await t.notifier.idle();
    const { rows } = await store.pool.query<{ seq: string }>(
      'SELECT coalesce(max(seq), 0) AS seq FROM fuzz_changes',
    );
    timing.checksMs += performance.now() - started;
    return Number(rows[0]?.seq ?? 0);
  }
  /** The writes since `since`, less the ones a refused request makes by design (see IGNORED_COLUMNS). */
  async function writesSince(since: number): Promise<{ writes: string[]; position: number }> {
    const started = performance.now();
    await t.notifier.idle();
    const { rows } = await store.pool.query<{
      seq: string;
      tbl: string;
      op: string;
      row: Record<string, unknown>;
    }>('SELECT seq, tbl, op, row FROM fuzz_changes WHERE seq > $1 ORDER BY seq', [since]);
    const writes: string[] = [];
    for (const w of rows) {
      if (w.tbl === 'audit_log' && w.op === 'INSERT' && AUDITED_REFUSALS.has(String(w.row.type))) continue;
      if (w.tbl === 'idempotency_keys') {
        const now = await store.pool.query<{ state: string; response_status: number | null }>(
          'SELECT state, response_status FROM idempotency_keys WHERE merchant_id = $1 AND mode = $2 AND key = $3',
          [w.row.merchant_id, w.row.mode, w.row.key],
        );
        const final = now.rows[0];
        if (
          final?.state === 'completed' &&
          final.response_status !== null &&
          final.response_status >= 400 &&
          final.response_status < 500
        )
          continue;
      }
      writes.push(`${w.op} ${w.tbl} ${JSON.stringify(w.row).slice(0, 300)}`);
    }
    timing.checksMs += performance.now() - started;
    return { writes, position: rows.length > 0 ? Number(rows.at(-1)?.seq) : since };
  }

  async function knownIds(): Promise<string[]> {
    const { rows } = await store.pool.query<{ id: string }>(idsSql);
    return rows.map((r) => r.id);
  }

  it('the document lists every route the server has', () => {
    const routed = routerOperations(t.app.printRoutes({ commonPrefix: false }));
    const documented = routed.filter((r) => !UNDOCUMENTED.test(r));
    console.info(
      `OpenAPI fuzz: ${operations.length} operations in the document; router: ${routed.length} routes, ${routed.length - documented.length} of them the document's own`,
    );
    // Guards against passing on an empty or truncated document.
    expect(documented.length).toBeGreaterThan(100);
    expect(operations.length).toBe(documented.length);
    for (const op of operations) {
      const url = op.path.replace(/\{([^}]+)\}/g, ':$1');
      expect(t.app.hasRoute({ method: op.method as 'GET', url }), `${op.method} ${op.path}`).toBe(true);
    }
  });

  /**
   * Values for a path parameter: ids that exist (of the kind the path names first, then any), well-formed
   * ids that do not, and junk.
   */
  function pathArbs(op: Operation, p: Parameter, ids: string[]) {
    const re = p.schema.pattern ? safeRegExp(p.schema.pattern) : null;
    const fitting = ids.filter(
      (id) =>
        (!re || re.test(id)) &&
        id.length <= (p.schema.maxLength ?? 10_000) &&
        id.length >= (p.schema.minLength ?? 0),
    );
    const collection = new RegExp(`/([a-z_-]+)/\\{${p.name}\\}`).exec(op.path)?.[1] ?? '';
    const kind = PATH_ID_KINDS[collection];
    const ofKind = kind ? fitting.filter((id) => id.startsWith(`${ID_PREFIXES[kind]}_`)) : [];
    const wellFormed = fc.constantFrom(...(Object.keys(ID_PREFIXES) as IdKind[])).map((k) => newId(k));
    const special: Record<string, fc.Arbitrary<string>> = {
      plugin: fc.constantFrom('fake', 'cards', 'qiwi', 'webmoney'),
      instance: fc.constantFrom('default', 'test', 'live', 'fake'),
      email: fc.emailAddress(),
    };
    const valid = fc.oneof(
      { weight: 4, arbitrary: ofKind.length > 0 ? fc.constantFrom(...ofKind) : wellFormed },
      { weight: 1, arbitrary: fitting.length > 0 ? fc.constantFrom(...fitting) : wellFormed },
      { weight: 1, arbitrary: special[p.name] ?? wellFormed },
      // as long as the schema allows (longer than Fastify's default limit of 100 on two routes)
      { weight: 1, arbitrary: fc.constant('a'.repeat(Math.min(p.schema.maxLength ?? 64, 1000))) },
    );
    // Not an id of anything: the route must answer 400 or 404 (and touch nothing).
    const junk = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 10, unit: 'binary-ascii' }),
        fc.constantFrom(
          '..',
          '%',
          '%00',
          'null',
          'undefined',
          '0',
          '-1',
          "' OR 1=1 --",
          'pay_',
          `pay_${'Z'.repeat(26)}`,
        ),
        fc.integer({ min: (p.schema.maxLength ?? 64) + 1, max: 5000 }).map((n) => 'a'.repeat(n)),
        wellFormed.map((id) => `${id}x`),
      )
      .filter((v) => v.trim() !== '' && !fitting.includes(v) && !v.includes('/'));
    return { valid, junk };
  }

  function caseArb(op: Operation, ids: string[]): fc.Arbitrary<Case> {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const pathValid = fc.record(
      Object.fromEntries(pathParams.map((p) => [p.name, pathArbs(op, p, ids).valid])),
    );
    const queryValid = fc.record(
      Object.fromEntries(queryParams.map((p) => [p.name, validArb(p.schema).map(queryText)])),
      { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
    ) as fc.Arbitrary<Record<string, string>>;
    const bodyValid: fc.Arbitrary<Case['body']> = op.body
      ? op.body.required
        ? validArb(op.body.schema).map((value) => ({ kind: 'json' as const, value }))
        : fc.oneof(
            validArb(op.body.schema).map((value) => ({ kind: 'json' as const, value })),
            fc.constant({ kind: 'none' as const }),
          )
      : fc.constant({ kind: 'none' as const });
    const validCase = fc.record({ pathValues: pathValid, query: queryValid, body: bodyValid });

    // One thing broken, the rest valid.
    const breakages: fc.Arbitrary<Case>[] = [];
    for (const p of pathParams) {
      if (FREE_FORM_PATH_PARAMS.has(`${op.path} ${p.name}`)) continue;
      breakages.push(
        fc.tuple(validCase, pathArbs(op, p, ids).junk).map(([c, junk]) => ({
          ...c,
          pathValues: { ...c.pathValues, [p.name]: junk },
          mustReject: `path ${p.name} is not an id of anything`,
          credentials: 'own' as const,
        })),
      );
    }
    for (const p of queryParams) {
      const bad = invalidArb(p.schema, true);
      if (!bad) continue;
      breakages.push(
        fc.tuple(validCase, bad).map(([c, b]) => ({
          ...c,
          query: { ...c.query, [p.name]: queryText(b.value) },
          mustReject: `query ${p.name}: ${b.why}`,
          credentials: 'own' as const,
        })),
      );
    }
    if (queryParams.length > 0 || op.method === 'GET') {
      breakages.push(
        fc
          .tuple(
            validCase,
            fc.constantFrom('bogus', 'limit2', 'LIMIT', '__proto__', 'x[y]'),
            fc.string({ maxLength: 8 }),
          )
          .filter(([, k]) => !queryParams.some((p) => p.name === k))
          .map(([c, k, v]) => ({
            ...c,
            query: { ...c.query, [k]: v },
            // Unknown query parameters: whether they are refused depends on the route (strict or not).
            mustReject: null,
            credentials: 'own' as const,
          })),
      );
    }
    if (op.body) {
      const bad = invalidArb(op.body.schema, false);
      if (bad)
        breakages.push(
          fc.tuple(validCase, bad).map(([c, b]) => ({
            ...c,
            body: { kind: 'json' as const, value: b.value },
            mustReject: `body ${b.why}`,
            credentials: 'own' as const,
          })),
        );
      // An empty body counts as none, and a route whose body is nullable takes none as null
      // (server/src/http/json-body.ts): only a required, non-nullable body must be there.
      if (op.body.required && !op.body.schema.nullable)
        breakages.push(
          validCase.map((c) => ({
            ...c,
            body: { kind: 'none' as const },
            mustReject: 'no body',
            credentials: 'own' as const,
          })),
        );
      breakages.push(
        fc
          .tuple(
            validCase,
            fc.oneof(
              fc.constantFrom('{', '{"a":', '[1,', '{"a":1}}', "{'a':1}", '\u0000', 'nul', '{"a":1,}'),
              fc.string({ minLength: 1, maxLength: 20 }).filter((s) => {
                try {
                  JSON.parse(s);
                  return false;
                } catch {
                  return true;
                }
              }),
            ),
          )
          .map(([c, text]) => ({
            ...c,
            body: { kind: 'raw' as const, text, type: 'application/json' },
            mustReject: 'malformed JSON',
            credentials: 'own' as const,
          })),
      );
      breakages.push(
        fc
          .tuple(
            validCase,
            fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
          )
          .map(([c, type]) => ({
            ...c,
            body: {
              kind: 'raw' as const,
              text: c.body.kind === 'json' ? JSON.stringify(c.body.value) : 'a=1',
              type,
            },
            mustReject: `content type ${type}`,
            credentials: 'own' as const,
          })),
      );
      // Larger than the body limit (100 KiB).
      breakages.push(
        validCase.map((c) => ({
          ...c,
          body: { kind: 'json' as const, value: { pad: 'x'.repeat(110 * 1024) } },
          mustReject: 'body larger than the limit',
          credentials: 'own' as const,
        })),
      );
    }
    if (op.family !== 'auth' && op.family !== 'public') {
      breakages.push(
        fc.tuple(validCase, fc.constantFrom<Credentials>('none', 'foreign')).map(([c, credentials]) => ({
          ...c,
          mustReject: `credentials: ${credentials}`,
          credentials,
        })),
      );
      if (op.method !== 'GET' && op.family !== 'merchant-api' && op.family !== 'issuer-api')
        breakages.push(
          validCase.map((c) => ({ ...c, mustReject: 'no CSRF token', credentials: 'no-csrf' as const })),
        );
    }
    const valid = validCase.map((c) => ({ ...c, mustReject: null, credentials: 'own' as const }));
    return breakages.length > 0
      ? fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: fc.oneof(...breakages) })
      : valid;
  }

  function headersFor(op: Operation, credentials: Credentials): Record<string, string> {
    const session = (b: Browser, csrf: boolean) => ({
      cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(csrf && b.csrfToken ? { 'x-csrf-token': b.csrfToken } : {}),
    });
    const own: Record<Family, () => Record<string, string>> = {
      'merchant-api': () => ({ authorization: `Bearer ${creds.merchantKey}` }),
      'issuer-api': () => ({ authorization: `Bearer ${creds.issuerKey}` }),
      account: () => session(creds.merchant, true),
      buyer: () => session(creds.buyer, true),
      backoffice: () => session(creds.admin, true),
      auth: () => ({}),
      public: () => ({}),
    };
    switch (credentials) {
      case 'own':
        return own[op.family]();
      case 'none':
        return {};
      case 'no-csrf': {
        const b =
          op.family === 'buyer' ? creds.buyer : op.family === 'backoffice' ? creds.admin : creds.merchant;
        return session(b, false);
      }
      case 'foreign':
        // Another family's credentials: a merchant API key on the session routes and the issuer API, an
        // issuer key on the merchant API, a merchant's session on the back office.
        if (op.family === 'merchant-api') return { authorization: `Bearer ${creds.issuerKey}` };
        if (op.family === 'backoffice') return session(creds.merchant, true);
        return { authorization: `Bearer ${creds.merchantKey}` };
    }
  }

  async function send(op: Operation, c: Case): Promise<ApiResponse> {
    let url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
      encodeURIComponent(c.pathValues[name] ?? ''),
    );
    const qs = new URLSearchParams(c.query).toString();
    if (qs) url += `?${qs}`;
    const headers: Record<string, string> = {
      ...headersFor(op, c.credentials),
      'user-agent': 'openapi-fuzz',
    };
    let payload: string | undefined;
    if (c.body.kind === 'json') {
      payload = JSON.stringify(c.body.value);
      headers['content-type'] = 'application/json';
    } else if (c.body.kind === 'raw') {
      payload = c.body.text;
      headers['content-type'] = c.body.type;
    }
    // Every third merchant-API POST with an Idempotency-Key (a refusal must not claim one either).
    if (op.family === 'merchant-api' && op.method === 'POST' && (sentByFamily.get(op.family) ?? 0) % 3 === 0)
      headers['idempotency-key'] = `fuzz-${randomBytes(8).toString('hex')}`;
    sentByFamily.set(op.family, (sentByFamily.get(op.family) ?? 0) + 1);
    const started = performance.now();
    const r = await inject(t.app, {
      method: op.method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    timing.requestsMs += performance.now() - started;
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    return r;
  }

  const describeCase = (op: Operation, c: Case, r: ApiResponse) =>
    `${op.method} ${op.path} [${c.credentials}] ${c.mustReject ?? 'valid'} path=${JSON.stringify(c.pathValues).slice(0, 200)} query=${JSON.stringify(c.query).slice(0, 200)} body=${JSON.stringify(c.body).slice(0, 300)} → ${r.statusCode} ${r.rawBody.slice(0, 300)}`;

  function responseProblems(op: Operation, c: Case, r: ApiResponse): string[] {
    const problems: string[] = [];
    if (r.statusCode >= 500) problems.push(`5xx: ${describeCase(op, c, r)}`);
    if (r.statusCode >= 400) {
      const e = r.body?.error;
      if (
        typeof r.body !== 'object' ||
        !e ||
        !CODES.has(e.code) ||
        typeof e.message !== 'string' ||
        typeof e.request_id !== 'string'
      )
        problems.push(`error shape: ${describeCase(op, c, r)}`);
    }
    if (c.mustReject && r.statusCode < 400) problems.push(`accepted: ${describeCase(op, c, r)}`);
    return problems;
  }

  /** Logs the families' users back in (and replaces the API key) if a generated request ended them. */
  async function restoreCredentials() {
    const key = await inject(t.app, {
      method: 'GET',
      url: '/v1/payments?limit=1',
      headers: { authorization: `Bearer ${creds.merchantKey}` },
    });
    if (key.statusCode !== 200) {
      const fresh = generateApiKey(merchantId, 'test', t.clock.now());
      await store.apiKeys.insert({ apiKey: { ...fresh.record, expiresAt: null, lastUsedAt: null } });
      creds.merchantKey = fresh.secret;
    }
    const logins: [
      keyof typeof creds & ('merchant' | 'buyer' | 'admin'),
      { login: string; password: string },
      string,
    ][] = [
      ['merchant', merchantLogin, '/v1/account/me'],
      ['buyer', buyerLogin, '/v1/account/me'],
      ['admin', adminLogin, '/v1/backoffice/whoami'],
    ];
    for (const [name, login, probe] of logins) {
      if ((await creds[name].get(probe)).statusCode === 200) continue;
      const b = t.browser();
      const r = await b.post('/v1/auth/login', login);
      expect(r.statusCode, `re-login of ${name}: ${r.rawBody}`).toBe(200);
      creds[name] = await withCsrf(b);
    }
  }

  it(
    'every operation: no 5xx, errors in the catalogue shape, refused requests write nothing',
    async () => {
      expect(operations.length).toBeGreaterThan(100);
      const problems: string[] = [];
      const sorted = [...operations].sort(
        (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
      );
      for (const [index, op] of sorted.entries()) {
        const ids = op.parameters.some((p) => p.in === 'path') ? await knownIds() : [];
        const cases = fc.sample(caseArb(op, ids), { numRuns: RUNS_PER_OPERATION, seed: SEED + index });
        let mutated = false;
        let position = await mark();
        for (const c of cases) {
          const r = await send(op, c);
          problems.push(...responseProblems(op, c, r));
          const kind = c.mustReject === null ? 'valid' : 'broken';
          const tally = outcomes.get(`${op.family} ${kind}`) ?? { refused: 0, accepted: 0 };
          outcomes.set(`${op.family} ${kind}`, tally);
          if (r.statusCode >= 400) {
            tally.refused++;
            const checked = await writesSince(position);
            position = checked.position;
            if (checked.writes.length > 0)
              problems.push(`refused request wrote ${checked.writes.join('; ')}: ${describeCase(op, c, r)}`);
          } else {
            tally.accepted++;
            if (op.method !== 'GET') mutated = true;
            position = await mark();
          }
        }
        if (mutated) await restoreCredentials();
      }
      expect(problems).toEqual([]);
    },
    LONG ? 3_600_000 : 300_000,
  );
});
