import type { CardInput } from '@payrail/core';
import { describeProviderContract } from '@payrail/testkit';
import { cards } from '../src';

// The contract runs on the system clock: expire the card a few years from now.
const expYear = new Date().getUTCFullYear() + 3;
const card = (number: string, cvc = '123'): CardInput => ({
  type: 'card',
  number,
  expMonth: 12,
  expYear,
  cvc,
});

describeProviderContract('cards (sandbox acquirer)', {
  plugin: () => cards({ fingerprintKey: 'contract-fingerprint-key-0123456789' }),
  invalidOptions: [
    { fingerprintKey: 'too-short' },
    { fingerprintKey: 42 },
    { mode: 'live' },
    { luhnValidateUnionPay: 'yes' },
    { unknownOption: true },
  ],
  currency: 'RUB',
  scenarios: {
    success: (input) => ({ ...input, paymentMethod: card('4242424242424242') }),
    decline: (input) => ({ ...input, paymentMethod: card('4000000000009995') }),
    // An invalid card is a failure (PAYRAIL_ERR_PAYMENT_METHOD_INVALID), not a decline.
    failure: (input) => ({ ...input, paymentMethod: card('4242424242424241') }),
  },
});
