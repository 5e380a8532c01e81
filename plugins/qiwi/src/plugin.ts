import {
  defineProvider,
  isPayrailError,
  type PaymentProvider,
  PayrailError,
  type ProviderPaymentView,
} from '@payrail/core';
import { type CreateBillBody, QiwiClient } from './client';
import { expirationDateTime, outcomeOfBill, outcomeOfRefund, QIWI_CURRENCIES, toQiwiAmount } from './mapping';
import { qiwiOptionsSchema } from './options';
import { qiwiWebhooks } from './webhooks';

export const QIWI_MANIFEST = { id: 'qiwi', name: 'QIWI Wallet', version: '0.1.0', coreRange: '^0.1.0' };

/** Our payment id is the QIWI billId (String(200), unique per merchant site). */
const billIdOf = (payment: ProviderPaymentView) => payment.paymentRef ?? payment.id;

const cut = (s: string, max = 255) => (s.length > max ? s.slice(0, max) : s);

/** QIWI's answer for a bill it does not have (`api.invoice.not.found`, HTTP 404), as the client throws it. */
function isBillNotFound(error: unknown): boolean {
  if (!isPayrailError(error) || error.code !== 'PAYRAIL_ERR_PROVIDER_REJECTED') return false;
  const details = (error.details ?? {}) as { httpStatus?: unknown; providerCode?: unknown };
  return details.providerCode === 'api.invoice.not.found' || details.httpStatus === 404;
}

function assertCurrency(currency: string): void {
  if (!(QIWI_CURRENCIES as readonly string[]).includes(currency)) {
    throw new PayrailError('PAYRAIL_ERR_METHOD_UNAVAILABLE', {
      param: 'currency',
      message: `QIWI bills are issued in ${QIWI_CURRENCIES.join(' or ')}, not ${currency}.`,
    });
  }
}

export const qiwi = defineProvider({
  manifest: QIWI_MANIFEST,
  optionsSchema: qiwiOptionsSchema,
  capabilities: ['cancel', 'refund', 'refund_sync', 'webhooks'],
  paymentMethods: ['qiwi_wallet'],
  currencies: QIWI_CURRENCIES,
  confirmation: 'immediate',
  init(ctx): PaymentProvider {
    const o = ctx.options;
    const logger = ctx.logger.child({ plugin: 'qiwi', instanceId: ctx.instanceId });
    const client = new QiwiClient({
      http: ctx.http,
      apiBaseUrl: o.apiBaseUrl,
      secretKey: o.secretKey,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });

    function billBody(payment: ProviderPaymentView): CreateBillBody {
      const body: CreateBillBody = {
        amount: toQiwiAmount(payment.amount, payment.currency),
        expirationDateTime: expirationDateTime(ctx.clock.now(), o.billLifetimeMinutes),
      };
      if (payment.description) body.comment = cut(payment.description);
      const customer: NonNullable<CreateBillBody['customer']> = {};
      if (payment.customer?.email) customer.email = payment.customer.email;
      if (payment.customer?.phone) customer.phone = payment.customer.phone;
      if (Object.keys(customer).length > 0) body.customer = customer;
      const customFields: Record<string, string> = {
        apiClient: 'payrail',
        apiClientVersion: QIWI_MANIFEST.version,
      };
      if (o.themeCode) customFields.themeCode = o.themeCode;
      body.customFields = customFields;
      return body;
    }

    return {
      async createPayment({ payment, returnUrl }) {
        assertCurrency(payment.currency);
        const bill = await client.createBill(payment.id, billBody(payment));
        return outcomeOfBill(bill, logger, returnUrl);
      },

      async syncPayment({ payment }) {
        try {
          const bill = await client.getBill(billIdOf(payment));
          // The buyer's return address, when the payment has one (create used the orchestrator's).
          return outcomeOfBill(bill, logger, payment.returnUrl);
        } catch (error) {
          // No bill, and QIWI never confirmed one (no paymentRef): the bill creation never reached QIWI (a
          // timeout, 5xx or reset before it acted, or a crash before the call). Without this the payment
          // would stay `processing` for good. Send the creation again: billIds are unique, so there is at
          // most one bill; an original request that still arrives finds it (see README).
          if (payment.paymentRef !== null || !isBillNotFound(error)) throw error;
          logger.warn({ billId: payment.id }, 'qiwi: no bill for an unconfirmed creation; creating it again');
          assertCurrency(payment.currency);
          const bill = await client.createBill(payment.id, billBody(payment));
          return outcomeOfBill(bill, logger, payment.returnUrl);
        }
      },

      async cancelPayment({ payment }) {
        await client.rejectBill(billIdOf(payment));
      },

      async refundPayment({ payment, refundId, amount }) {
        assertCurrency(payment.currency);
        const refund = await client.refund(
          billIdOf(payment),
          refundId,
          toQiwiAmount(amount, payment.currency),
        );
        return outcomeOfRefund(refund, refundId, logger);
      },

      async syncRefund({ payment, refundId, refundRef }) {
        const id = refundRef ?? refundId;
        const refund = await client.getRefund(billIdOf(payment), id);
        return outcomeOfRefund(refund, id, logger);
      },

      webhooks: qiwiWebhooks({ siteId: o.siteId, secretKey: o.secretKey, logger }),
    };
  },
});
