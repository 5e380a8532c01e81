import { formatDecimalFixed, isId } from '@payrail/core';
import type { ReturnTarget } from '@payrail/plugin-webmoney/simulator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { autoPostPage, qiwiPayPage, resultPage, webmoneyPayPage } from './pages';
import { SANDBOX_INSTANCE_ID, type SandboxSimulators, SIMULATOR_PREFIX } from './sandbox';

/**
 * The provider simulators, mounted in the sandbox (`PAYRAIL_SIMULATORS`): QIWI's Bill Payments API and
 * pay form under `/_sim/qiwi`, WebMoney's payment form and X18 under `/_sim/webmoney`, and a checkout
 * helper that performs a payment's next action as the buyer's browser would. Pages answer HTML, or JSON
 * when the client asks for `application/json` (curl walkthroughs). Hidden from the OpenAPI document:
 * these are stand-ins for other companies' sites, not Payrail's API.
 */
const hide = { schema: { hide: true } };

const wantsJson = (request: FastifyRequest) => /application\/json/i.test(request.headers.accept ?? '');

const isHttpUrl = (value: unknown): value is string =>
  typeof value === 'string' && URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);

/** The raw body as form fields; a field sent twice keeps its first value (the simulators never need both). */
function formFields(request: FastifyRequest): Record<string, string> {
  const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) if (!Object.hasOwn(fields, key)) fields[key] = value;
  return fields;
}

/** Fastify request → web-standard Request, for the simulators' API handlers. */
function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && Buffer.isBuffer(request.body);
  return new Request(`http://simulator${request.url}`, {
    method: request.method,
    headers,
    ...(hasBody ? { body: new Uint8Array(request.body as Buffer) } : {}),
  });
}

async function sendWeb(reply: FastifyReply, response: Response | undefined): Promise<FastifyReply> {
  if (!response) return reply.code(404).type('text/plain').send('no such simulator endpoint');
  reply.code(response.status);
  response.headers.forEach((value, key) => {
    reply.header(key, value);
  });
  return reply.send(Buffer.from(await response.arrayBuffer()));
}

const html = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

/** Sends the buyer back to the shop as WebMoney's LMI_*_METHOD says: GET with a query, POST, or a plain link. */
function followReturn(reply: FastifyReply, target: ReturnTarget) {
  if (target.method === 'POST') {
    return html(
      reply,
      autoPostPage({
        provider: 'WebMoney',
        title: 'Back to the shop',
        heading: 'Back to the shop',
        url: target.url,
        fields: target.fields,
      }),
    );
  }
  const url = new URL(target.url);
  for (const [key, value] of Object.entries(target.fields)) url.searchParams.set(key, value);
  return reply.redirect(url.toString(), 303);
}

export async function simulatorRoutes(app: FastifyInstance, opts: { simulators: SandboxSimulators }) {
  const { qiwi, webmoney } = opts.simulators;
  const { store } = app.services;
  // Providers' formats, not JSON: keep the bytes (form posts are parsed per route).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // ── QIWI ──────────────────────────────────────────────────────────────────────────────────────
  app.all(`${SIMULATOR_PREFIX}/qiwi/partner/bill/v1/bills/*`, hide, async (request, reply) =>
    sendWeb(reply, await qiwi.handleApi(webRequest(request))),
  );

  app.get(`${SIMULATOR_PREFIX}/qiwi/form`, hide, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const bill = qiwi.bills.get(query.invoice_uid ?? '');
    const successUrl = isHttpUrl(query.successUrl) ? query.successUrl : undefined;
    if (!bill) {
      if (wantsJson(request)) return reply.code(404).send({ error: 'no such bill' });
      return html(
        reply,
        resultPage({ provider: 'QIWI', title: 'No bill', heading: 'No such bill', error: true }),
        404,
      );
    }
    const amount = formatDecimalFixed(bill.minor, bill.amount.currency, 2);
    const action = (what: string) => `${opts.simulators.baseUrl}/qiwi/form/${what}`;
    if (wantsJson(request)) {
      const fields = { invoice_uid: bill.billId, ...(successUrl ? { successUrl } : {}) };
      return {
        provider: 'qiwi',
        bill_id: bill.billId,
        amount,
        currency: bill.amount.currency,
        status: bill.status.value,
        pay: { method: 'POST', url: action('pay'), fields },
        decline: { method: 'POST', url: action('decline'), fields },
      };
    }
    return html(
      reply,
      qiwiPayPage({
        provider: 'QIWI',
        title: `Bill ${bill.billId}`,
        billId: bill.billId,
        amount,
        currency: bill.amount.currency,
        status: bill.status.value,
        comment: bill.comment,
        expires: bill.expirationDateTime,
        waiting: bill.status.value === 'WAITING' && !qiwi.isExpired(bill),
        successUrl,
        payAction: action('pay'),
        declineAction: action('decline'),
      }),
    );
  });

  for (const action of ['pay', 'decline'] as const) {
    app.post(`${SIMULATOR_PREFIX}/qiwi/form/${action}`, hide, async (request, reply) => {
      const fields = { ...(request.query as Record<string, string>), ...formFields(request) };
      const billId = fields.invoice_uid ?? '';
      if (!qiwi.bills.has(billId)) {
        if (wantsJson(request)) return reply.code(404).send({ error: 'no such bill' });
        return html(
          reply,
          resultPage({ provider: 'QIWI', title: 'No bill', heading: 'No such bill', error: true }),
          404,
        );
      }
      const result = action === 'pay' ? await qiwi.pay(billId) : await qiwi.decline(billId);
      const successUrl = isHttpUrl(fields.successUrl) ? fields.successUrl : undefined;
      request.log.info(
        { billId, status: result.status, notified: result.delivery?.statusCode },
        'qiwi simulator',
      );
      if (wantsJson(request)) {
        return {
          bill_id: billId,
          status: result.status,
          notification: result.delivery,
          return_url: successUrl ?? null,
        };
      }
      // QIWI's form only knows `successUrl`: it is where the buyer lands after paying.
      if (result.status === 'PAID' && successUrl) return reply.redirect(successUrl, 303);
      return html(
        reply,
        resultPage({
          provider: 'QIWI',
          title: result.status,
          heading: `Bill ${result.status}`,
          error: result.status !== 'PAID',
          details: result.delivery
            ? { 'Notification answered': `${result.delivery.statusCode} ${result.delivery.body}` }
            : undefined,
          continueUrl: successUrl,
        }),
      );
    });
  }

  // ── WebMoney ──────────────────────────────────────────────────────────────────────────────────
  for (const form of ['payment_utf.asp', 'payment.asp']) {
    app.post(`${SIMULATOR_PREFIX}/webmoney/lmi/${form}`, hide, async (request, reply) => {
      const opened = webmoney.openForm(formFields(request));
      if (!opened.ok) {
        if (wantsJson(request)) return reply.code(400).send({ error: opened.error });
        return html(
          reply,
          resultPage({
            provider: 'WebMoney',
            title: 'Refused',
            heading: 'Payment form refused',
            error: true,
            message: opened.error,
          }),
          400,
        );
      }
      const s = opened.session;
      const action = (what: string) => `${opts.simulators.baseUrl}/webmoney/sessions/${s.id}/${what}`;
      if (wantsJson(request)) {
        return {
          provider: 'webmoney',
          session: s.id,
          purse: s.purse,
          amount: s.amount,
          currency: s.currency,
          payment_no: s.paymentNo,
          description: s.description,
          pay: { method: 'POST', url: action('pay') },
          decline: { method: 'POST', url: action('decline') },
        };
      }
      return html(
        reply,
        webmoneyPayPage({
          provider: 'WebMoney',
          title: 'WebMoney payment',
          ...s,
          mode: s.simMode === '0' ? 'test purse' : `test purse, LMI_SIM_MODE=${s.simMode}`,
          payAction: action('pay'),
          declineAction: action('decline'),
        }),
      );
    });
  }

  app.post(`${SIMULATOR_PREFIX}/webmoney/sessions/:session/:action`, hide, async (request, reply) => {
    const params = request.params as { session: string; action: string };
    const session = webmoney.sessions.get(params.session);
    if (!session || !['pay', 'decline'].includes(params.action)) {
      if (wantsJson(request)) return reply.code(404).send({ error: 'no such session' });
      return html(
        reply,
        resultPage({ provider: 'WebMoney', title: 'Not found', heading: 'No such payment', error: true }),
        404,
      );
    }
    if (session.status !== 'waiting') {
      if (wantsJson(request)) return reply.code(409).send({ error: `this payment is ${session.status}` });
      return html(
        reply,
        resultPage({
          provider: 'WebMoney',
          title: 'Done',
          heading: `This payment is ${session.status}`,
          error: true,
        }),
        409,
      );
    }
    const result =
      params.action === 'pay'
        ? await webmoney.pay(session.id)
        : { outcome: 'declined' as const, ...webmoney.decline(session.id) };
    request.log.info({ session: session.id, outcome: result.outcome }, 'webmoney simulator');
    if (wantsJson(request)) {
      const { session: _s, ...rest } = result;
      return { session: session.id, ...rest };
    }
    if (result.outcome === 'refused') {
      // WebMoney shows the shop's refusal of the pre-request to the buyer.
      return html(
        reply,
        resultPage({
          provider: 'WebMoney',
          title: 'Refused by the shop',
          heading: 'The shop refused this payment',
          error: true,
          message: result.prerequest.body,
          continueUrl: result.redirect?.method === 'LINK' ? result.redirect.url : undefined,
        }),
      );
    }
    if (result.redirect) return followReturn(reply, result.redirect);
    return html(
      reply,
      resultPage({ provider: 'WebMoney', title: result.outcome, heading: `Payment ${result.outcome}` }),
    );
  });

  app.post(`${SIMULATOR_PREFIX}/webmoney/conf/xml/XMLTransGet.asp`, hide, async (request, reply) =>
    sendWeb(reply, await webmoney.handleX18(webRequest(request))),
  );

  // ── Checkout helper: the buyer's browser ─────────────────────────────────────────────────────
  const nextActionOf = async (paymentId: string) => {
    const payment = isId('payment', paymentId) ? await store.payments.getById({ id: paymentId }) : null;
    return payment ? { payment, action: payment.nextAction } : null;
  };

  /** Opens a payment's next action in the browser: follows a redirect, auto-submits a form post. */
  app.get(`${SIMULATOR_PREFIX}/checkout/:paymentId`, hide, async (request, reply) => {
    const found = await nextActionOf((request.params as { paymentId: string }).paymentId);
    if (!found)
      return html(
        reply,
        resultPage({ provider: 'checkout', title: 'Not found', heading: 'No such payment', error: true }),
        404,
      );
    const { payment, action } = found;
    if (action?.type === 'redirect') return reply.redirect(action.url, 303);
    if (action?.type === 'form_post') {
      return html(
        reply,
        autoPostPage({
          provider: 'checkout',
          title: 'Redirecting',
          heading: 'Redirecting to the payment page…',
          url: action.url,
          fields: action.fields,
        }),
      );
    }
    return html(
      reply,
      resultPage({
        provider: 'checkout',
        title: payment.status,
        heading: `Payment ${payment.status}`,
        message: 'There is nothing for the buyer to do.',
      }),
    );
  });

  /**
   * The same for curl: performs the next action over HTTP as a browser would (GET the redirect, POST
   * the form) asking for JSON, and answers what the provider's page said.
   */
  app.post(`${SIMULATOR_PREFIX}/checkout/:paymentId`, hide, async (request, reply) => {
    const found = await nextActionOf((request.params as { paymentId: string }).paymentId);
    if (!found) return reply.code(404).send({ error: 'no such payment' });
    const { payment, action } = found;
    if (action?.type !== 'redirect' && action?.type !== 'form_post') {
      return reply
        .code(409)
        .send({ error: `payment ${payment.id} has no page to open (status ${payment.status})` });
    }
    // Only the simulators' own pages: this endpoint must not make the server fetch arbitrary URLs.
    if (!action.url.startsWith(`${opts.simulators.baseUrl}/`)) {
      return reply.code(409).send({ error: 'the next action is not a simulator page; open it in a browser' });
    }
    const response =
      action.type === 'redirect'
        ? await fetch(action.url, { headers: { accept: 'application/json' } })
        : await fetch(action.url, {
            method: 'POST',
            headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(action.fields).toString(),
          });
    return reply
      .code(response.status)
      .type('application/json')
      .send(await response.text());
  });

  app.log.info(
    { baseUrl: opts.simulators.baseUrl, instanceId: SANDBOX_INSTANCE_ID },
    'provider simulators mounted',
  );
}
