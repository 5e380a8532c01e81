import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../src/accounts/notifications/templates';
import { MAX_ATTACHMENT_BYTES } from '../../src/tickets/attachments';
import { type AccountsTestApp, createAccountsTestApp, pspStaff, registeredUser } from '../accounts/helpers';
import type { StoreKind } from '../helpers/test-app';
import { attachment, fileOf, loggedInUser, paymentOf, sha256 } from './ticket-helpers';

const STORES: StoreKind[] = ['pglite', 'postgres', 'mongodb'];

describe.each(STORES)('consulting tickets on %s', (storeKind) => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, storeKind);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a full conversation: open, support reply (mailed to opener and owner), merchant reply (mailed to the assignee), resolve, reopen, resolve, close', async () => {
    const owner = await registeredUser(t);
    const merchantId = owner.user.merchant_id as string;
    const staff = await loggedInUser(t, { accountType: 'merchant', role: 'staff', merchantId });
    const support = await pspStaff(t, 'support');
    const paymentId = await paymentOf(t, merchantId);

    // Staff opens the ticket, linking one of the merchant's payments.
    const opened = await staff.browser.post('/v1/account/tickets', {
      topic: 'transaction_tracking',
      subject: 'Where is payment money?',
      body: 'The payment succeeded but is not in the report.',
      payment_ids: [paymentId],
    });
    expect(opened.statusCode).toBe(201);
    expect(opened.body).toMatchObject({
      object: 'ticket',
      merchant_id: merchantId,
      opened_by: staff.user.id,
      topic: 'transaction_tracking',
      status: 'open',
      assignee_id: null,
      payment_ids: [paymentId],
    });
    expect(opened.body.messages).toHaveLength(1);
    expect(opened.body.messages[0]).toMatchObject({ side: 'merchant', author_id: staff.user.id });
    const id = opened.body.id as string;
    expect(id).toMatch(/^tkt_/);

    // The owner sees it in the merchant's list; support sees it in the unassigned queue.
    const list = await owner.browser.get('/v1/account/tickets?status=open');
    expect(list.body.data.map((x: { id: string }) => x.id)).toContain(id);
    const queue = await support.browser.get(
      '/v1/backoffice/tickets?assignee=none&topic=transaction_tracking',
    );
    expect(queue.body.data.map((x: { id: string }) => x.id)).toContain(id);

    // A merchant reply while unassigned notifies nobody.
    const early = await owner.browser.post(`/v1/account/tickets/${id}/messages`, { body: 'Any news?' });
    expect(early.statusCode).toBe(201);
    expect(early.body.status).toBe('waiting_for_support');
    await t.notifier.idle();
    expect(t.smtp.mails.filter((m) => m.subject.includes(id))).toEqual([]);

    // Support replies: the ticket is assigned to them and waits for the merchant; opener and owner are mailed.
    const answer = await support.browser.post(`/v1/backoffice/tickets/${id}/messages`, {
      body: 'Captured payments reach the report the next day.',
    });
    expect(answer.statusCode).toBe(201);
    expect(answer.body).toMatchObject({ status: 'waiting_for_merchant', assignee_id: support.user.id });
    for (const address of [staff.email, owner.email]) {
      const mail = await t.smtp.waitFor(address, new RegExp(`Reply to your ticket ${id}`));
      expect(mail.body).toContain('Captured payments reach the report the next day.');
    }
    expect((await support.browser.get('/v1/backoffice/tickets?assignee=me')).body.data[0].id).toBe(id);

    // The merchant answers: the assignee is mailed.
    const thanks = await staff.browser.post(`/v1/account/tickets/${id}/messages`, {
      body: 'Found it, thanks!',
    });
    expect(thanks.body.status).toBe('waiting_for_support');
    const toSupport = await t.smtp.waitFor(support.email, new RegExp(`Merchant reply on ticket ${id}`));
    expect(toSupport.body).toContain('Found it, thanks!');

    // Support resolves; a merchant reply reopens it; the merchant resolves and closes it; closed is final.
    expect((await support.browser.post(`/v1/backoffice/tickets/${id}/resolve`)).body.status).toBe('resolved');
    const reopened = await owner.browser.post(`/v1/account/tickets/${id}/messages`, {
      body: 'One more thing.',
    });
    expect(reopened.body.status).toBe('waiting_for_support');
    const early_close = await owner.browser.post(`/v1/account/tickets/${id}/close`);
    expect(early_close.statusCode).toBe(409);
    expect(early_close.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_TICKET_TRANSITION_INVALID',
      details: { status: 'waiting_for_support', action: 'close' },
    });
    expect((await owner.browser.post(`/v1/account/tickets/${id}/resolve`)).body.status).toBe('resolved');
    const twice = await support.browser.post(`/v1/backoffice/tickets/${id}/resolve`);
    expect(twice.statusCode).toBe(409);
    expect((await owner.browser.post(`/v1/account/tickets/${id}/close`)).body.status).toBe('closed');
    for (const [browser, url] of [
      [owner.browser, `/v1/account/tickets/${id}/messages`],
      [support.browser, `/v1/backoffice/tickets/${id}/messages`],
    ] as const) {
      const late = await browser.post(url, { body: 'Hello?' });
      expect(late.statusCode).toBe(409);
      expect(late.body.error.code).toBe('PAYRAIL_ERR_TICKET_TRANSITION_INVALID');
    }
    expect((await support.browser.post(`/v1/backoffice/tickets/${id}/assign`)).statusCode).toBe(409);

    const thread = await owner.browser.get(`/v1/account/tickets/${id}`);
    expect(thread.body.status).toBe('closed');
    expect(thread.body.messages.map((m: { side: string; body: string }) => [m.side, m.body])).toEqual([
      ['merchant', 'The payment succeeded but is not in the report.'],
      ['merchant', 'Any news?'],
      ['support', 'Captured payments reach the report the next day.'],
      ['merchant', 'Found it, thanks!'],
      ['merchant', 'One more thing.'],
    ]);
  });

  it('a support reply reaches an owner who chose Telegram, in Russian', async () => {
    const owner = await registeredUser(t);
    const support = await pspStaff(t, 'support');
    const stored = await t.store.users.get({ id: owner.user.id });
    if (!stored) throw new Error('owner not stored');
    const chatId = `7${Date.now() % 1_000_000_000}`;
    const bound = await t.store.users.update({
      user: {
        ...stored,
        telegramId: chatId,
        telegramConfirmedAt: t.clock.now(),
        notifyChannel: 'telegram',
        locale: 'ru',
      },
      expectedVersion: stored.version,
    });
    expect(bound.ok).toBe(true);
    const opened = await owner.browser.post('/v1/account/tickets', {
      topic: 'payment_systems',
      subject: 'Какие платёжные системы подключить?',
      body: 'Интернет-магазин одежды.',
    });
    const id = opened.body.id as string;
    await support.browser.post(`/v1/backoffice/tickets/${id}/messages`, { body: 'Карты и СБП.' });
    await t.notifier.idle();
    const sent = t.telegram.requests
      .filter((r) => r.url.endsWith('/sendMessage'))
      .map((r) => JSON.parse(r.body) as { chat_id: string; text: string })
      .filter((m) => m.chat_id === chatId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain(`Поддержка ответила на ваше обращение ${id}`);
    expect(sent[0]?.text).toContain('Карты и СБП.');
    expect(t.smtp.mails.filter((m) => m.to.includes(owner.email) && m.subject.includes(id))).toEqual([]);
  });

  it('attachments round-trip byte for byte with their sha256, as downloads', async () => {
    const owner = await registeredUser(t);
    const support = await pspStaff(t, 'support');
    const png = fileOf('png', MAX_ATTACHMENT_BYTES); // exactly at the limit
    const pdf = fileOf('pdf', 5000);
    const text = Buffer.from('Лог терминала:\r\nERROR 42\tdeclined\n', 'utf8');
    const opened = await owner.browser.post('/v1/account/tickets', {
      topic: 'web_pos',
      subject: 'Terminal error',
      body: 'See the screenshot and the log.',
      attachments: [
        attachment('экран "1".png', 'image/png', png),
        attachment('report.pdf', 'application/pdf', pdf),
        attachment('terminal.log', 'text/plain', text),
      ],
    });
    expect(opened.statusCode).toBe(201);
    const files = opened.body.messages[0].attachments as Array<{
      id: string;
      url: string;
      size: number;
      sha256: string;
      content_type: string;
    }>;
    expect(files.map((f) => [f.content_type, f.size, f.sha256])).toEqual([
      ['image/png', png.length, sha256(png)],
      ['application/pdf', pdf.length, sha256(pdf)],
      ['text/plain', text.length, sha256(text)],
    ]);

    const [pngFile, , textFile] = files;
    const download = await owner.browser.get(pngFile?.url ?? '');
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="_____ _1_.png"; filename*=UTF-8''${encodeURIComponent('экран "1".png')}`,
    );
    expect(sha256(download.rawPayload)).toBe(sha256(png));
    const log = await owner.browser.get(textFile?.url ?? '');
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(log.rawPayload.equals(text)).toBe(true);

    // Support downloads it from the back office; a reply carries its own attachment.
    const id = opened.body.id as string;
    const fromBackoffice = await support.browser.get(
      `/v1/backoffice/tickets/${id}/attachments/${pngFile?.id}`,
    );
    expect(sha256(fromBackoffice.rawPayload)).toBe(sha256(png));
    const jpeg = fileOf('jpeg', 1234);
    const reply = await support.browser.post(`/v1/backoffice/tickets/${id}/messages`, {
      body: 'Here is how it should look.',
      attachments: [attachment('ok.jpg', 'image/jpeg', jpeg)],
    });
    const sent = reply.body.messages[1].attachments[0];
    expect(sent.url).toBe(`/v1/backoffice/tickets/${id}/attachments/${sent.id}`);
    const mine = await owner.browser.get(`/v1/account/tickets/${id}/attachments/${sent.id}`);
    expect(mine.headers['content-type']).toBe('image/jpeg');
    expect(mine.rawPayload.equals(jpeg)).toBe(true);

    // Unknown attachment ids, and one of another ticket, are 404.
    const other = await owner.browser.post('/v1/account/tickets', {
      topic: 'other',
      subject: 'x',
      body: 'y',
    });
    const wrongTicket = await owner.browser.get(
      `/v1/account/tickets/${other.body.id}/attachments/${pngFile?.id}`,
    );
    expect(wrongTicket.statusCode).toBe(404);
    expect((await owner.browser.get(`/v1/account/tickets/${id}/attachments/tka_nope`)).statusCode).toBe(404);
  });

  it('refuses oversized and wrong-type attachments with distinct codes, and writes nothing', async () => {
    const owner = await registeredUser(t);
    const base = { topic: 'other', subject: 'Files', body: 'Attached.' };
    const create = (files: ReturnType<typeof attachment>[]) =>
      owner.browser.post('/v1/account/tickets', { ...base, attachments: files });

    const big = await create([attachment('big.png', 'image/png', fileOf('png', MAX_ATTACHMENT_BYTES + 1))]);
    expect(big.statusCode).toBe(400);
    expect(big.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_ATTACHMENT_TOO_LARGE',
      param: 'attachments.0.data',
      details: { size: MAX_ATTACHMENT_BYTES + 1, max: MAX_ATTACHMENT_BYTES },
    });

    const pdfAsPng = await create([
      attachment('ok.png', 'image/png', fileOf('png', 10)),
      attachment('fake.png', 'image/png', fileOf('pdf', 100)),
    ]);
    expect(pdfAsPng.statusCode).toBe(400);
    expect(pdfAsPng.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH',
      param: 'attachments.1.content_type',
      details: { declared: 'image/png', detected: 'application/pdf' },
    });
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64), Buffer.from([0x50, 0x45, 0, 0])]);
    for (const declared of ['text/plain', 'application/x-msdownload']) {
      const refused = await create([attachment('tool.exe', declared, exe)]);
      expect(refused.body.error).toMatchObject({
        code: 'PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH',
        details: { declared, detected: null },
      });
    }

    const four = await create(
      Array.from({ length: 4 }, (_, i) => attachment(`${i}.png`, 'image/png', fileOf('png', 10))),
    );
    expect(four.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'attachments' });
    const notBase64 = await create([{ filename: 'a.txt', content_type: 'text/plain', data: 'aGVsbG8*' }]);
    expect(notBase64.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_VALIDATION',
      param: 'attachments.0.data',
    });
    const pathName = await create([attachment('../etc/passwd', 'text/plain', Buffer.from('x'))]);
    expect(pathName.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_VALIDATION',
      param: 'attachments.0.filename',
    });

    // None of the refused requests opened a ticket.
    expect((await owner.browser.get('/v1/account/tickets')).body.data).toEqual([]);

    // A reply is checked the same way and leaves the thread as it was.
    const ok = await create([]);
    const badReply = await owner.browser.post(`/v1/account/tickets/${ok.body.id}/messages`, {
      body: 'again',
      attachments: [attachment('x.jpg', 'image/jpeg', fileOf('png', 50))],
    });
    expect(badReply.body.error.code).toBe('PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH');
    expect((await owner.browser.get(`/v1/account/tickets/${ok.body.id}`)).body.messages).toHaveLength(1);
  });

  it('links only payments of the merchant: another merchant’s payment is not found', async () => {
    const a = await registeredUser(t);
    const b = await registeredUser(t);
    const own = await paymentOf(t, a.user.merchant_id as string);
    const foreign = await paymentOf(t, b.user.merchant_id as string);
    const refused = await a.browser.post('/v1/account/tickets', {
      topic: 'transaction_tracking',
      subject: 'Two payments',
      body: 'About these.',
      payment_ids: [own, foreign],
    });
    expect(refused.statusCode).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'PAYRAIL_ERR_NOT_FOUND', param: 'payment_ids.1' });
    const unknown = await a.browser.post('/v1/account/tickets', {
      topic: 'other',
      subject: 's',
      body: 'b',
      payment_ids: ['pay_01J0000000ABCDEFGHJKMNPQRS'],
    });
    expect(unknown.body.error).toMatchObject({ code: 'PAYRAIL_ERR_NOT_FOUND', param: 'payment_ids.0' });
    expect((await a.browser.get('/v1/account/tickets')).body.data).toEqual([]);
  });
});

describe('ticket notification templates', () => {
  it.each(['en', 'ru'])('render in %s with the ticket id and the reply', (locale) => {
    const vars = { ticketId: 'tkt_1', body: 'Текст <b>ответа</b>', merchant: 'Shop' };
    for (const name of ['ticket_reply', 'ticket_merchant_reply'] as const) {
      const message = render(name, locale, vars);
      expect(message.subject).toContain('tkt_1');
      expect(message.text).toContain('Текст <b>ответа</b>');
      expect(message.html).toContain('&lt;b&gt;');
    }
  });

  it('has a Russian text of its own for both templates', () => {
    const vars = { ticketId: 'tkt_1', body: 'b', merchant: 'Shop' };
    expect(render('ticket_reply', 'ru', vars).subject).toBe('Ответ по обращению tkt_1');
    expect(render('ticket_merchant_reply', 'ru', vars).subject).toBe('Ответ мерчанта по обращению tkt_1');
    expect(render('ticket_merchant_reply', 'en', vars).text).toContain('Shop replied on ticket tkt_1');
  });
});
