import { isIP } from 'node:net';
import { isCountryCode } from '@payrail/core';
import { z } from 'zod';

/** ISO 3166-1 alpha-2, uppercase (`RU`, `DE`). */
export const countryCodeSchema = (param: string) =>
  z
    .string()
    .refine(isCountryCode, { error: `${param} must be an uppercase ISO 3166-1 alpha-2 country code` });

/** `client` of `POST /v1/payments`: the buyer's IP and its country as the merchant saw them. */
export const paymentClientBody = z
  .strictObject({
    ip: z
      .string()
      .max(45)
      .refine((v) => isIP(v) !== 0, { error: 'client.ip must be an IPv4 or IPv6 address' })
      .optional()
      .describe('The buyer’s IP as your site saw it (the payment page records its own when the buyer pays).'),
    country: countryCodeSchema('client.country')
      .optional()
      .describe('ISO 3166-1 alpha-2 country of the buyer’s IP, from your own geolocation.'),
  })
  .describe('The buyer’s device, for antifraud; stored with the payment.');

/** `billing` of `POST /v1/payments`. */
export const paymentBillingBody = z
  .strictObject({
    country: countryCodeSchema('billing.country').optional().describe('ISO 3166-1 alpha-2.'),
  })
  .describe('Billing details, for antifraud; stored with the payment.');
