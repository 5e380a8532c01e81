import { formatDecimalFixed, type NextAction, PayrailError, type ProviderPaymentView } from '@payrail/core';
import type { ResolvedWebMoneyOptions } from './options';
import { PAYMENT_ID_FIELD, paymentNumberFor } from './payment-number';
import { paymentFormSign } from './signature';

/** Description cap that implementations apply (counted in characters, not bytes). */
export const MAX_DESCRIPTION_LENGTH = 255;

const METHOD_CODES = { GET: '0', POST: '1', LINK: '2' } as const;

/** WebMoney amounts: major units, `.` separator, two decimals (`14.65`). No floats, no rounding. */
export function formatAmount(amount: number, currency: string): string {
  return formatDecimalFixed(amount, currency, 2);
}

export function descriptionOf(payment: Pick<ProviderPaymentView, 'id' | 'orderId' | 'description'>): string {
  const text = payment.description?.trim() || `Order ${payment.orderId ?? payment.id}`;
  return Array.from(text).slice(0, MAX_DESCRIPTION_LENGTH).join('');
}

export interface PaymentFormInput {
  payment: Pick<ProviderPaymentView, 'id' | 'amount' | 'currency' | 'orderId' | 'description'>;
  /** LMI_RESULT_URL: this instance's webhook URL. */
  resultUrl: string;
  /** Where the buyer comes back (LMI_SUCCESS_URL and LMI_FAIL_URL). */
  returnUrl: string;
}

/** The purse configured for a currency, or PAYRAIL_ERR_METHOD_UNAVAILABLE. */
export function purseFor(options: Pick<ResolvedWebMoneyOptions, 'purses'>, currency: string): string {
  const purse = Object.hasOwn(options.purses, currency) ? options.purses[currency] : undefined;
  if (!purse) {
    throw new PayrailError('PAYRAIL_ERR_METHOD_UNAVAILABLE', {
      param: 'currency',
      message: `This WebMoney instance has no purse for ${currency}; configured: ${Object.keys(options.purses).join(', ')}.`,
    });
  }
  return purse;
}

/**
 * The fields of the WebMoney payment form, which the buyer's browser POSTs to `formUrl`. Pure: the same
 * payment and options always give the same fields (syncPayment rebuilds them).
 */
export function buildPaymentFormFields(
  options: ResolvedWebMoneyOptions,
  input: PaymentFormInput,
): Record<string, string> {
  const { payment } = input;
  const purse = purseFor(options, payment.currency);
  const amount = formatAmount(payment.amount, payment.currency);
  const paymentNo = paymentNumberFor(payment.id);
  const method = METHOD_CODES[options.returnMethod];
  const description = descriptionOf(payment);
  const fields: Record<string, string> = {
    LMI_PAYEE_PURSE: purse,
    LMI_PAYMENT_AMOUNT: amount,
    LMI_PAYMENT_NO: paymentNo,
  };
  if (options.descriptionEncoding === 'base64') {
    fields.LMI_PAYMENT_DESC_BASE64 = Buffer.from(description, 'utf8').toString('base64');
  } else {
    fields.LMI_PAYMENT_DESC = description;
  }
  if (options.testMode) fields.LMI_SIM_MODE = String(options.simMode);
  fields.LMI_RESULT_URL = input.resultUrl;
  fields.LMI_SUCCESS_URL = input.returnUrl;
  fields.LMI_SUCCESS_METHOD = method;
  fields.LMI_FAIL_URL = input.returnUrl;
  fields.LMI_FAIL_METHOD = method;
  if (options.paymentFormSign) {
    fields.LMI_PAYMENTFORM_SIGN = paymentFormSign(
      { purse, amount, paymentNo },
      options.paymentFormSign.secretKey,
      options.paymentFormSign.variant,
      options.paymentFormSign.case,
    );
  }
  fields[PAYMENT_ID_FIELD] = payment.id;
  return fields;
}

/** The next action: the buyer's browser POSTs the form to WebMoney (payment.asp does not take GET). */
export function buildPaymentFormAction(
  options: ResolvedWebMoneyOptions,
  input: PaymentFormInput,
): NextAction {
  return { type: 'form_post', url: options.formUrl, fields: buildPaymentFormFields(options, input) };
}
