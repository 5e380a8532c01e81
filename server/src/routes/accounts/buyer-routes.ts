import {
  isId,
  type Payment,
  type PaymentNotificationPreferences,
  type PaymentNotifyChannel,
  PayrailError,
  type User,
} from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import { BUYER_MODE, buyerEmailOf, requireBuyer } from '../../accounts/buyer/buyer-contact';
import {
  buyerContactResource,
  buyerEmailsOf,
  removeBuyerContact,
  requestBuyerContact,
} from '../../accounts/buyer/buyer-contacts';
import {
  buyerPaymentResource,
  buyerRefundResource,
  statusHistory,
} from '../../accounts/buyer/buyer-payment-resource';
import {
  buyerSavedCardResource,
  removeBuyerSavedCard,
  savedCardsOfBuyer,
} from '../../accounts/buyer/buyer-saved-cards';
import type { AccountsDeps } from '../../accounts/deps';
import { updateUser } from '../../accounts/user-record';
import { listPage } from '../../http/list-page';
import {
  buyerContactBody,
  buyerContactParams,
  buyerIdParams,
  buyerNotificationsBody,
  buyerPaymentsQuery,
} from './buyer-schemas';
import { ok200, ok202 } from './responses';

const notFound = (what: string, id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No ${what} ${id.slice(0, 64)}.` });

/** The channels in force: the buyer's choice, or the account's notify_channel where none was made. */
function preferencesOf(user: User): PaymentNotificationPreferences {
  const fallback: PaymentNotifyChannel = user.notifyChannel;
  return {
    succeeded: user.paymentNotifications?.succeeded ?? fallback,
    declined: user.paymentNotifications?.declined ?? fallback,
    refunded: user.paymentNotifications?.refunded ?? fallback,
  };
}

function preferencesResource(user: User) {
  const p = preferencesOf(user);
  return {
    object: 'buyer_notifications' as const,
    payment_succeeded: p.succeeded,
    payment_declined: p.declined,
    payment_refunded: p.refunded,
    email: buyerEmailOf(user),
    telegram_linked: user.telegramId !== null,
  };
}

/**
 * The buyer account (docs/accounts.md "Buyer account"): payments made with the buyer's confirmed email
 * at any merchant, with status history and refunds; payment notification channels; saved cards. Only
 * buyer accounts get past the hook. A payment or card that is not the buyer's is a 404.
 */
export const buyerRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const tags = ['buyer account'];
  const security = [{ session: [] }];

  // Runs after the session hook of the /v1/account context (parent hooks run first).
  app.addHook('onRequest', async (request) => {
    requireBuyer(accountOf(request).user);
  });

  /** Display names of a payment's merchant and shop, each read once per request. */
  const displayNames = () => {
    const cache = new Map<string, Promise<string | null>>();
    const once = (key: string, read: () => Promise<string | null>) => {
      let name = cache.get(key);
      if (!name) {
        name = read();
        cache.set(key, name);
      }
      return name;
    };
    return async (payment: Payment) => {
      const shopId = payment.shopId ?? null;
      const [merchant, shop] = await Promise.all([
        once(
          `m:${payment.merchantId}`,
          async () => (await store.merchants.get({ id: payment.merchantId }))?.name ?? '',
        ),
        shopId === null
          ? null
          : once(
              `s:${payment.merchantId}:${shopId}`,
              async () =>
                (await store.shops.get({ merchantId: payment.merchantId, id: shopId }))?.name ?? null,
            ),
      ]);
      return { merchant: merchant ?? '', shop };
    };
  };

  app.get(
    '/payments',
    {
      schema: {
        tags,
        security,
        summary: 'Payments made with your confirmed email at any Payrail merchant, newest first',
        querystring: buyerPaymentsQuery,
        response: ok200,
      },
    },
    async (request) => {
      const emails = await buyerEmailsOf(store, accountOf(request).user);
      if (emails.length === 0) return { object: 'list' as const, data: [], has_more: false };
      const page = await store.payments.listByCustomerContact({
        emails,
        mode: BUYER_MODE,
        limit: request.query.limit,
        ...(request.query.starting_after !== undefined
          ? { startingAfter: request.query.starting_after }
          : {}),
      });
      const namesOf = displayNames();
      const named = await Promise.all(
        page.data.map(async (payment) => ({ payment, names: await namesOf(payment) })),
      );
      return listPage({ data: named, hasMore: page.hasMore }, ({ payment, names }) =>
        buyerPaymentResource(payment, names),
      );
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One of your payments, with its status history and refunds',
        params: buyerIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const { id } = request.params;
      const emails = await buyerEmailsOf(store, accountOf(request).user);
      const payment = emails.length > 0 && isId('payment', id) ? await store.payments.getById({ id }) : null;
      const paidWith = payment?.customer?.email?.toLowerCase();
      if (!payment || payment.mode !== BUYER_MODE || paidWith === undefined || !emails.includes(paidWith)) {
        throw notFound('payment', id);
      }
      const [events, refunds, names] = await Promise.all([
        store.events.list({ merchantId: payment.merchantId, mode: payment.mode, objectId: id, limit: 100 }),
        store.refunds.listByPayment({ paymentId: id }),
        displayNames()(payment),
      ]);
      return {
        ...buyerPaymentResource(payment, names),
        status_history: statusHistory(events.data),
        refunds: refunds.map(buyerRefundResource),
      };
    },
  );

  app.get(
    '/notifications',
    {
      schema: {
        tags,
        security,
        summary: 'How you are told of payments made with your email',
        response: ok200,
      },
    },
    async (request) => preferencesResource(accountOf(request).user),
  );

  app.put(
    '/notifications',
    {
      schema: {
        tags,
        security,
        summary: 'Choose email, telegram or none per payment notice',
        body: buyerNotificationsBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const b = request.body;
      const chosen: [string, PaymentNotifyChannel | undefined][] = [
        ['payment_succeeded', b.payment_succeeded],
        ['payment_declined', b.payment_declined],
        ['payment_refunded', b.payment_refunded],
      ];
      for (const [param, channel] of chosen) {
        if (channel === 'telegram' && user.telegramId === null) {
          throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
            param,
            message: 'Link a Telegram account before choosing Telegram notifications.',
          });
        }
        // Email goes to the confirmed login, or else to the confirmed contact the payment was made with.
        const noEmail =
          buyerEmailOf(user) === null &&
          (await store.buyerContacts.listByUser({ userId: user.id })).length === 0;
        if (channel === 'email' && noEmail) {
          throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
            param,
            message:
              'Email notifications need a confirmed email login or contact email; choose telegram or none.',
          });
        }
      }
      const updated = await updateUser(
        store,
        user.id,
        (u) => {
          const current = preferencesOf(u);
          return {
            paymentNotifications: {
              succeeded: b.payment_succeeded ?? current.succeeded,
              declined: b.payment_declined ?? current.declined,
              refunded: b.payment_refunded ?? current.refunded,
            },
          };
        },
        clock.now(),
      );
      return preferencesResource(updated);
    },
  );

  app.get(
    '/saved-cards',
    {
      schema: {
        tags,
        security,
        summary: 'Cards saved at any merchant for a customer that paid with your email',
        response: ok200,
      },
    },
    async (request) => {
      const cards = await savedCardsOfBuyer(store, await buyerEmailsOf(store, accountOf(request).user));
      return { object: 'list' as const, data: cards.map(buyerSavedCardResource), has_more: false };
    },
  );

  app.delete(
    '/saved-cards/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a saved card: the merchant can no longer charge it in one click',
        params: buyerIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const { id } = request.params;
      const emails = await buyerEmailsOf(store, accountOf(request).user);
      if (emails.length === 0 || !isId('paymentMethod', id)) throw notFound('saved card', id);
      await removeBuyerSavedCard(store, emails, id, clock.now());
      return { id, object: 'buyer_saved_card' as const, deleted: true as const };
    },
  );
  app.get(
    '/contacts',
    {
      schema: {
        tags,
        security,
        summary: 'Your confirmed contact emails: payments made with them are shown as yours',
        response: ok200,
      },
    },
    async (request) => {
      const contacts = await store.buyerContacts.listByUser({ userId: accountOf(request).user.id });
      return { object: 'list' as const, data: contacts.map(buyerContactResource), has_more: false };
    },
  );

  app.post(
    '/contacts',
    {
      schema: {
        tags,
        security,
        summary:
          'Add a contact email: a single-use link is mailed to it; POST its token to /v1/auth/contact/confirm',
        body: buyerContactBody,
        response: ok202,
      },
    },
    async (request, reply) => {
      const sent = await requestBuyerContact(deps, accountOf(request).user, request.body.email);
      return reply.code(202).send({
        object: 'buyer_contact_confirmation' as const,
        email: sent.email,
        expires_at: sent.expiresAt.toISOString(),
      });
    },
  );

  app.delete(
    '/contacts/:email',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a contact email: its payments are no longer shown',
        params: buyerContactParams,
        response: ok200,
      },
    },
    async (request) => {
      await removeBuyerContact(deps, request, accountOf(request).user, request.params.email);
      return {
        object: 'buyer_contact' as const,
        email: request.params.email.toLowerCase(),
        deleted: true as const,
      };
    },
  );
};
