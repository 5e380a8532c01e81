import { type ApplicationDetails, PayrailError } from '@payrail/core';
import { z } from 'zod';
import { amountSchema, currencySchema } from '../http/schemas/common';

/** The payment methods a merchant may ask for (cards, QIWI, WebMoney). */
export const PAYMENT_METHODS_WANTED = ['cards', 'qiwi', 'webmoney'] as const;

const shopUrl = z
  .url({ protocol: /^https?$/, error: 'each shop URL must be an http(s) URL such as https://shop.example' })
  .max(2048);

/**
 * The application's fields as the API takes them (`PUT /v1/account/onboarding/application`). Every field
 * is optional in a draft; each one given is checked here, so a bad value fails with its own `param`.
 */
export const applicationDetailsBody = z.strictObject({
  company_name: z.string().trim().min(1).max(200).optional(),
  registration_number: z
    .string()
    .trim()
    .regex(
      /^[0-9A-Za-z-]{5,32}$/,
      'registration_number must be 5–32 letters, digits or dashes (e.g. the INN)',
    )
    .optional(),
  legal_address: z.string().trim().min(1).max(500).optional(),
  contact_phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{5,23}$/, 'contact_phone must be a phone number such as +7 495 123-45-67')
    .optional(),
  shop_urls: z.array(shopUrl).min(1, 'give at least one shop URL').max(20).optional(),
  expected_monthly_volume: z
    .strictObject({ amount: amountSchema('expected_monthly_volume.amount'), currency: currencySchema })
    .optional(),
  acquiring_bank_id: z.string().min(1).max(64).optional(),
  payment_methods: z
    .array(z.enum(PAYMENT_METHODS_WANTED))
    .min(1, 'choose at least one payment method: cards, qiwi or webmoney')
    .refine((methods) => new Set(methods).size === methods.length, 'payment_methods has duplicates')
    .optional(),
});

export type ApplicationDetailsBody = z.infer<typeof applicationDetailsBody>;

/** The stored form of the API body (camelCase, absent fields left out). */
export function detailsFromBody(body: ApplicationDetailsBody): ApplicationDetails {
  const details: ApplicationDetails = {};
  if (body.company_name !== undefined) details.companyName = body.company_name;
  if (body.registration_number !== undefined) details.registrationNumber = body.registration_number;
  if (body.legal_address !== undefined) details.legalAddress = body.legal_address;
  if (body.contact_phone !== undefined) details.contactPhone = body.contact_phone;
  if (body.shop_urls !== undefined) details.shopUrls = body.shop_urls;
  if (body.expected_monthly_volume !== undefined)
    details.expectedMonthlyVolume = body.expected_monthly_volume;
  if (body.acquiring_bank_id !== undefined) details.acquiringBankId = body.acquiring_bank_id;
  if (body.payment_methods !== undefined) details.paymentMethods = body.payment_methods;
  return details;
}

/** The API form of stored details. */
export const detailsResource = (d: ApplicationDetails) => ({
  company_name: d.companyName ?? null,
  registration_number: d.registrationNumber ?? null,
  legal_address: d.legalAddress ?? null,
  contact_phone: d.contactPhone ?? null,
  shop_urls: d.shopUrls ?? [],
  expected_monthly_volume: d.expectedMonthlyVolume ?? null,
  acquiring_bank_id: d.acquiringBankId ?? null,
  payment_methods: d.paymentMethods ?? [],
});

/** Fields submit requires, in the order the form shows them (API names). */
const REQUIRED: ReadonlyArray<[string, (d: ApplicationDetails) => boolean]> = [
  ['company_name', (d) => !!d.companyName],
  ['registration_number', (d) => !!d.registrationNumber],
  ['legal_address', (d) => !!d.legalAddress],
  ['contact_phone', (d) => !!d.contactPhone],
  ['shop_urls', (d) => (d.shopUrls?.length ?? 0) > 0],
  ['expected_monthly_volume', (d) => d.expectedMonthlyVolume !== undefined],
  ['acquiring_bank_id', (d) => !!d.acquiringBankId],
  ['payment_methods', (d) => (d.paymentMethods?.length ?? 0) > 0],
];

export const missingFields = (details: ApplicationDetails): string[] =>
  REQUIRED.filter(([, present]) => !present(details)).map(([name]) => name);

/** 400 PAYRAIL_ERR_APPLICATION_INCOMPLETE naming the first missing field; `details.missing` lists all. */
export function assertComplete(details: ApplicationDetails): void {
  const missing = missingFields(details);
  if (missing.length === 0) return;
  throw new PayrailError('PAYRAIL_ERR_APPLICATION_INCOMPLETE', {
    param: missing[0],
    message: `Fill in ${missing.join(', ')} before submitting the application.`,
    details: { missing },
  });
}
