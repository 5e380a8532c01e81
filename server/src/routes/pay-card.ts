import { type CardInput, type Payment, PayrailError, type StoredCard } from '@payrail/core';
import type { PayBody } from '../http/schemas/pay';
import type { AppServices } from '../services';

const missing = (param: 'number' | 'exp_month' | 'exp_year') =>
  new PayrailError('PAYRAIL_ERR_VALIDATION', { param, message: `${param} is required.` });

/**
 * The card to authorize, in memory only: the one typed on the page, or — when the payment was created
 * with a saved card and the buyer sent no number — the vault's number and expiry with the CVC just typed.
 */
export function cardInputOf(
  services: AppServices,
  body: PayBody,
  savedCard: StoredCard | null,
): { card: CardInput; fromVault: boolean } {
  if (body.number === undefined && savedCard) {
    if (!services.vault) throw new PayrailError('PAYRAIL_ERR_VAULT_UNAVAILABLE');
    if (body.save_card) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: 'save_card',
        message: 'This card is already saved.',
      });
    }
    return { card: services.vault.cardInput(savedCard, body.cvc), fromVault: true };
  }
  if (body.number === undefined) throw missing('number');
  if (body.exp_month === undefined) throw missing('exp_month');
  if (body.exp_year === undefined) throw missing('exp_year');
  return {
    card: {
      type: 'card',
      number: body.number,
      expMonth: body.exp_month,
      expYear: body.exp_year,
      cvc: body.cvc,
      ...(body.holder !== undefined ? { holder: body.holder } : {}),
    },
    fromVault: false,
  };
}

/** Refuses `save_card` up front when the card could not be saved, so the buyer is not charged first. */
export function assertCanSave(services: AppServices, payment: Payment | null, body: PayBody): void {
  if (!body.save_card || !payment) return;
  if (!payment.customer?.id) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'save_card',
      message: 'This payment names no customer (customer.id), so the card cannot be saved for later.',
    });
  }
  if (!services.vault) throw new PayrailError('PAYRAIL_ERR_VAULT_UNAVAILABLE');
}

/**
 * Saves the card after a successful authorization, when the buyer asked to. A failure here must not turn
 * a taken payment into an error for the buyer: it is logged (ids and code only) and the payment stands.
 */
export async function saveCardIfAsked(
  services: AppServices,
  payment: Payment,
  card: CardInput,
  body: PayBody,
): Promise<StoredCard | null> {
  const customerId = payment.customer?.id;
  if (!body.save_card || !customerId || !services.vault) return null;
  if (payment.status !== 'authorized' && payment.status !== 'succeeded') return null;
  try {
    return await services.vault.save({
      merchantId: payment.merchantId,
      mode: payment.mode,
      customerId,
      card,
    });
  } catch (error) {
    services.logger.warn(
      { paymentId: payment.id, code: error instanceof PayrailError ? error.code : 'unknown' },
      'card vault: the card could not be saved',
    );
    return null;
  }
}
