import { describeProviderContract } from '@payrail/testkit';
import { formatAmount, webmoney } from '../src';
import { encode, notificationFields, SECRET, USD_PURSE } from './fixtures';

const options = { purses: { USD: USD_PURSE }, secretKey: SECRET, testMode: true, simMode: 0 as const };

describeProviderContract('webmoney', {
  plugin: () => webmoney(options),
  invalidOptions: [
    { ...options, purses: { USD: 'R123456789012' } },
    { ...options, purses: { BTC: 'X123456789012' } },
    { ...options, purses: {} },
    { ...options, secretKey: '' },
    { ...options, hashMethod: 'SHA512' },
    { ...options, simMode: 5 },
    { ...options, testMode: false, simMode: 1 },
    { ...options, formUrl: 'http://merchant.webmoney.ru/lmi/payment_utf.asp' },
    { ...options, unknownOption: true },
  ],
  currency: 'USD',
  scenarios: {
    success: (input) => input,
    // Not reachable: see skip below.
    decline: (input) => input,
    // No purse for EUR in this instance: PAYRAIL_ERR_METHOD_UNAVAILABLE.
    failure: (input) => ({ ...input, payment: { ...input.payment, currency: 'EUR' } }),
  },
  webhooks: {
    badSignature: ({ payment }) => {
      const fields = notificationFields({
        paymentId: payment.id,
        amount: formatAmount(payment.amount, payment.currency),
        mode: '1',
      });
      const { LMI_HASH: _hash, ...unsigned } = fields;
      return [
        { headers: {}, query: {}, rawBody: encode(unsigned) },
        { headers: {}, query: {}, rawBody: encode({ ...fields, LMI_HASH: '0'.repeat(64) }) },
        {
          headers: {},
          query: {},
          rawBody: encode(
            notificationFields({
              paymentId: payment.id,
              amount: formatAmount(payment.amount, payment.currency),
              mode: '1',
              secret: 'not-the-key',
            }),
          ),
        },
        { headers: {}, query: {}, rawBody: encode({ ...fields, LMI_PAYMENT_AMOUNT: '999999.00' }) },
      ];
    },
    signed: ({ payment }) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      query: {},
      // LMI_HASH is the last field, so the contract's one-byte change lands in the signature.
      rawBody: encode(
        notificationFields({
          paymentId: payment.id,
          amount: formatAmount(payment.amount, payment.currency),
          mode: '1',
        }),
      ),
    }),
  },
  skip: {
    'createPayment: a decline is data with a normalised decline code, not an error':
      'WebMoney createPayment makes no server call and only prepares the payment form; a buyer who does not pay is never declined through this API (WebMoney sends no failure notification).',
  },
});
