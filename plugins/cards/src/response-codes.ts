import type { DeclineCode } from '@payrail/core';

/**
 * ISO 8583 authorization response codes the sandbox answers with, and their normalised decline codes.
 * A live acquirer adapter maps its answers through the same table; a code missing here maps to
 * `card_declined` (a refusal we cannot explain), never to an approval.
 */
export const RESPONSE_CODES: Readonly<Record<string, { decline: DeclineCode; meaning: string }>> = {
  '05': { decline: 'card_declined', meaning: 'Do not honour' },
  '14': { decline: 'incorrect_number', meaning: 'Invalid card number' },
  '41': { decline: 'lost_card', meaning: 'Lost card, pick up' },
  '43': { decline: 'stolen_card', meaning: 'Stolen card, pick up' },
  '51': { decline: 'insufficient_funds', meaning: 'Not sufficient funds' },
  '54': { decline: 'expired_card', meaning: 'Expired card' },
  '61': { decline: 'limit_exceeded', meaning: 'Exceeds withdrawal amount limit' },
  '96': { decline: 'processing_error', meaning: 'System malfunction' },
  N7: { decline: 'incorrect_cvc', meaning: 'Decline for CVV2 failure' },
};

export const APPROVED = '00';

export function declineCodeFor(responseCode: string): DeclineCode {
  return Object.hasOwn(RESPONSE_CODES, responseCode)
    ? RESPONSE_CODES[responseCode]!.decline
    : 'card_declined';
}

/** A merchant-facing message for a decline (the buyer sees core's neutral BUYER_DECLINE_MESSAGE instead). */
export function declineMessageFor(responseCode: string): string {
  const known = Object.hasOwn(RESPONSE_CODES, responseCode) ? RESPONSE_CODES[responseCode] : undefined;
  return known
    ? `The issuer declined the authorization: ${known.meaning} (${responseCode}).`
    : `The issuer declined the authorization (${responseCode}).`;
}
