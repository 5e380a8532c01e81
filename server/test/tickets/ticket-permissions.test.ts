import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  pspStaff,
  registeredUser,
} from '../accounts/helpers';
import { attachment, loggedInUser } from './ticket-helpers';

type Role = 'owner' | 'staff' | 'other_merchant' | 'buyer' | 'issuer' | 'support' | 'admin' | 'anonymous';
const ROLES: Role[] = [
  'owner',
  'staff',
  'other_merchant',
  'buyer',
  'issuer',
  'support',
  'admin',
  'anonymous',
];

/** A ticket of merchant A with one attachment, in the status an endpoint needs. */
interface Fixture {
  id: string;
  attachmentId: string;
}

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  url: (f: Fixture) => string;
  body?: unknown;
  /** Brings the fresh ticket into the status the call needs (as merchant A's owner). */
  prepare?: (owner: Browser, f: Fixture) => Promise<void>;
  /** The status for a caller allowed to make the call. */
  success: number;
}

const MERCHANT_SIDE: Endpoint[] = [
  { name: 'list', method: 'GET', url: () => '/v1/account/tickets', success: 200 },
  {
    name: 'create',
    method: 'POST',
    url: () => '/v1/account/tickets',
    body: { topic: 'online_shop', subject: 'New shop', body: 'How do I start?' },
    success: 201,
  },
  { name: 'get', method: 'GET', url: (f) => `/v1/account/tickets/${f.id}`, success: 200 },
  {
    name: 'reply',
    method: 'POST',
    url: (f) => `/v1/account/tickets/${f.id}/messages`,
    body: { body: 'More details.' },
    success: 201,
  },
  { name: 'resolve', method: 'POST', url: (f) => `/v1/account/tickets/${f.id}/resolve`, success: 200 },
  {
    name: 'close',
    method: 'POST',
    url: (f) => `/v1/account/tickets/${f.id}/close`,
    prepare: async (owner, f) => {
      await owner.post(`/v1/account/tickets/${f.id}/resolve`);
    },
    success: 200,
  },
  {
    name: 'download',
    method: 'GET',
    url: (f) => `/v1/account/tickets/${f.id}/attachments/${f.attachmentId}`,
    success: 200,
  },
];

const SUPPORT_SIDE: Endpoint[] = [
  { name: 'list', method: 'GET', url: () => '/v1/backoffice/tickets?status=open', success: 200 },
  { name: 'get', method: 'GET', url: (f) => `/v1/backoffice/tickets/${f.id}`, success: 200 },
  {
    name: 'reply',
    method: 'POST',
    url: (f) => `/v1/backoffice/tickets/${f.id}/messages`,
    body: { body: 'Answer.' },
    success: 201,
  },
  { name: 'assign', method: 'POST', url: (f) => `/v1/backoffice/tickets/${f.id}/assign`, success: 200 },
  { name: 'resolve', method: 'POST', url: (f) => `/v1/backoffice/tickets/${f.id}/resolve`, success: 200 },
  {
    name: 'download',
    method: 'GET',
    url: (f) => `/v1/backoffice/tickets/${f.id}/attachments/${f.attachmentId}`,
    success: 200,
  },
];

/** What each role gets on each side: the endpoint's success, or an error status and code. */
function expected(role: Role, side: 'merchant' | 'support', endpoint: Endpoint): [number, string | null] {
  if (role === 'anonymous') return [401, 'PAYRAIL_ERR_SESSION_REQUIRED'];
  const merchantUser = role === 'owner' || role === 'staff' || role === 'other_merchant';
  const pspUser = role === 'support' || role === 'admin';
  if (side === 'merchant') {
    if (!merchantUser) return [403, 'PAYRAIL_ERR_FORBIDDEN'];
    // Another merchant lists and opens its own tickets, and cannot tell A's ticket from none.
    if (role === 'other_merchant' && !['list', 'create'].includes(endpoint.name))
      return [404, 'PAYRAIL_ERR_NOT_FOUND'];
    return [endpoint.success, null];
  }
  return pspUser ? [endpoint.success, null] : [403, 'PAYRAIL_ERR_FORBIDDEN'];
}

describe('ticket permissions for every role', () => {
  let t: AccountsTestApp;
  let owner: Browser;
  let ownerId: string;
  const browsers = new Map<Role, Browser>();

  beforeAll(async () => {
    t = await createAccountsTestApp();
    const a = await registeredUser(t);
    owner = a.browser;
    ownerId = a.user.id;
    const merchantId = a.user.merchant_id as string;
    browsers.set('owner', a.browser);
    browsers.set(
      'staff',
      (await loggedInUser(t, { accountType: 'merchant', role: 'staff', merchantId })).browser,
    );
    browsers.set('other_merchant', (await registeredUser(t)).browser);
    browsers.set('buyer', (await loggedInUser(t, { accountType: 'buyer', role: 'buyer' })).browser);
    browsers.set('issuer', (await loggedInUser(t, { accountType: 'issuer', role: 'issuer' })).browser);
    browsers.set('support', (await pspStaff(t, 'support')).browser);
    browsers.set('admin', (await pspStaff(t, 'admin')).browser);
    browsers.set('anonymous', t.browser());
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  async function freshTicket(): Promise<Fixture> {
    const opened = await owner.post('/v1/account/tickets', {
      topic: 'security_risk',
      subject: 'Suspicious payments',
      body: 'See the list.',
      attachments: [attachment('list.txt', 'text/plain', Buffer.from('pay_1\npay_2\n'))],
    });
    if (opened.statusCode !== 201) throw new Error(opened.rawBody);
    return { id: opened.body.id, attachmentId: opened.body.messages[0].attachments[0].id };
  }

  const cases = ROLES.flatMap((role) => [
    ...MERCHANT_SIDE.map((endpoint) => ({ role, side: 'merchant' as const, endpoint })),
    ...SUPPORT_SIDE.map((endpoint) => ({ role, side: 'support' as const, endpoint })),
  ]);

  it.each(cases)('$role: $side $endpoint.name', async ({ role, side, endpoint }) => {
    const fixture = await freshTicket();
    await endpoint.prepare?.(owner, fixture);
    const browser = browsers.get(role) as Browser;
    const response = await browser.request(endpoint.method, endpoint.url(fixture), endpoint.body);
    const [status, code] = expected(role, side, endpoint);
    expect(response.statusCode, response.rawBody.slice(0, 300)).toBe(status);
    if (code) expect(response.body.error.code).toBe(code);

    // A refused call changed nothing: the ticket is still open with its one message.
    if (code && endpoint.method === 'POST' && endpoint.name !== 'create' && !endpoint.prepare) {
      const after = await owner.get(`/v1/account/tickets/${fixture.id}`);
      expect(after.body).toMatchObject({ status: 'open', assignee_id: null });
      expect(after.body.messages).toHaveLength(1);
    }
  });

  it("another merchant's list holds none of merchant A's tickets", async () => {
    const fixture = await freshTicket();
    const other = browsers.get('other_merchant') as Browser;
    const list = await other.get('/v1/account/tickets?limit=100');
    expect(list.statusCode).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(fixture.id);
    const all = await (browsers.get('support') as Browser).get('/v1/backoffice/tickets?limit=100');
    expect(all.body.data.map((x: { id: string }) => x.id)).toContain(fixture.id);
  });

  it('support assigns to themselves, to another staff member or to nobody; never to a merchant user', async () => {
    const support = await pspStaff(t, 'support');
    const admin = await pspStaff(t, 'admin');
    const fixture = await freshTicket();
    const url = `/v1/backoffice/tickets/${fixture.id}/assign`;
    expect((await support.browser.post(url)).body.assignee_id).toBe(support.user.id);
    expect((await support.browser.post(url, { assignee_id: admin.user.id })).body.assignee_id).toBe(
      admin.user.id,
    );
    const mine = await admin.browser.get('/v1/backoffice/tickets?assignee=me');
    expect(mine.body.data.map((x: { id: string }) => x.id)).toEqual([fixture.id]);
    const refused = await support.browser.post(url, { assignee_id: ownerId });
    expect(refused.statusCode).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'assignee_id' });
    expect((await support.browser.post(url, { assignee_id: null })).body.assignee_id).toBeNull();
  });

  it('a POST without the CSRF token is refused even for allowed roles', async () => {
    const fixture = await freshTicket();
    const support = browsers.get('support') as Browser;
    const refused = await support.post(
      `/v1/backoffice/tickets/${fixture.id}/resolve`,
      {},
      { 'x-csrf-token': '' },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_CSRF_INVALID');
  });
});
