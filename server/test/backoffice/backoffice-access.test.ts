import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsTestApp, createAccountsTestApp, pspStaff, registeredUser } from '../accounts/helpers';

describe('back office access', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  });
  afterAll(() => t.close());

  it('asks for a session, and refuses merchants and buyers with 403', async () => {
    const anonymous = t.browser();
    const noSession = await anonymous.get('/v1/backoffice/whoami');
    expect(noSession.statusCode).toBe(401);
    expect(noSession.body.error.code).toBe('PAYRAIL_ERR_SESSION_REQUIRED');

    for (const accountType of ['merchant', 'buyer'] as const) {
      const { browser } = await registeredUser(t, { accountType });
      const refused = await browser.get('/v1/backoffice/whoami');
      expect(refused.statusCode).toBe(403);
      expect(refused.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    }
  });

  it('lets PSP staff in with their role and permissions', async () => {
    const admin = await pspStaff(t, 'admin');
    const me = await admin.browser.get('/v1/backoffice/whoami');
    expect(me.statusCode).toBe(200);
    expect(me.body.role).toBe('admin');
    expect(me.body.permissions).toContain('staff:manage');

    const support = await pspStaff(t, 'support');
    const them = await support.browser.get('/v1/backoffice/whoami');
    expect(them.body.role).toBe('support');
    expect(them.body.permissions).toContain('tickets:support');
    expect(them.body.permissions).not.toContain('applications:review');
  });
});
