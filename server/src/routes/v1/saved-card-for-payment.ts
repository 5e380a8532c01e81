import { type Customer, PayrailError, type StoredCard } from '@payrail/core';
import type { AppServices } from '../../services';

interface OneClickFields {
  method: string;
  customer?: Customer | undefined;
  customer_id?: string | undefined;
  payment_method?: string | undefined;
}

/** The payment's customer: `customer_id` is shorthand for `customer.id`; both given must agree. */
export function customerOf(body: OneClickFields): Customer | null {
  const { customer, customer_id: customerId } = body;
  if (customerId !== undefined && customer?.id !== undefined && customer.id !== customerId) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'customer_id',
      message: 'customer_id and customer.id differ; send one of them.',
    });
  }
  if (customerId === undefined) return customer ?? null;
  return { ...customer, id: customerId };
}

/**
 * The saved card a new payment is to be paid with (`payment_method: "pm_…"`), checked to belong to this
 * merchant, mode and customer. A card of anyone else is not found, exactly like an unknown id.
 */
export async function savedCardFor(
  services: AppServices,
  scope: { merchantId: string; mode: 'test' | 'live' },
  body: OneClickFields,
): Promise<StoredCard | undefined> {
  if (body.payment_method === undefined) return undefined;
  const customerId = customerOf(body)?.id;
  if (customerId === undefined) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'customer_id',
      message: 'A payment with a saved card (payment_method) needs the customer_id the card was saved for.',
    });
  }
  if (body.method !== 'card') {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'payment_method',
      message: 'Saved cards pay payments whose method is "card".',
    });
  }
  if (!services.vault) throw new PayrailError('PAYRAIL_ERR_VAULT_UNAVAILABLE');
  const card = await services.store.storedCards.get({ ...scope, id: body.payment_method });
  if (!card || card.customerId !== customerId) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'payment_method',
      message: `Customer ${customerId.slice(0, 64)} has no saved card ${body.payment_method}.`,
    });
  }
  return card;
}
