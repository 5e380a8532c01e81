import { PayrailError, type Store, type StoredCard } from '@payrail/core';
import { BUYER_MODE } from './buyer-contact';

/** More merchant customers than any one person is; the list stops there. */
const MAX_CUSTOMER_REFS = 200;

export interface BuyerSavedCard {
  card: StoredCard;
  merchantName: string;
}

/**
 * The cards saved at any merchant for the buyer. A stored card belongs to a merchant's customer id;
 * it is the buyer's when that merchant has a live payment naming both that customer id and one of the
 * buyer's confirmed emails — the card was saved on the payment page by whoever paid as that customer.
 */
export async function savedCardsOfBuyer(store: Store, emails: readonly string[]): Promise<BuyerSavedCard[]> {
  if (emails.length === 0) return [];
  const refs = await store.payments.customerRefsByContact({
    emails,
    mode: BUYER_MODE,
    limit: MAX_CUSTOMER_REFS,
  });
  const names = new Map<string, string>();
  const cards: BuyerSavedCard[] = [];
  for (const ref of refs) {
    const saved = await store.storedCards.listByCustomer({ ...ref, mode: BUYER_MODE });
    if (saved.length === 0) continue;
    if (!names.has(ref.merchantId)) {
      names.set(ref.merchantId, (await store.merchants.get({ id: ref.merchantId }))?.name ?? '');
    }
    for (const card of saved) cards.push({ card, merchantName: names.get(ref.merchantId) ?? '' });
  }
  return cards.sort((a, b) => (a.card.id < b.card.id ? -1 : a.card.id > b.card.id ? 1 : 0));
}

/**
 * Detaches one of the buyer's saved cards: the vault erases its number, so the merchant's one-click
 * payments with it fail from now on. Anyone else's card is a 404, exactly like an unknown id.
 */
export async function removeBuyerSavedCard(store: Store, emails: readonly string[], id: string, now: Date) {
  const found = (await savedCardsOfBuyer(store, emails)).find((c) => c.card.id === id);
  const deleted =
    found !== undefined &&
    (await store.storedCards.delete({
      merchantId: found.card.merchantId,
      mode: found.card.mode,
      id,
      deletedAt: now,
    }));
  if (!deleted) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'id',
      message: `No saved card ${id.slice(0, 64)}.`,
    });
  }
}

export function buyerSavedCardResource({ card, merchantName }: BuyerSavedCard) {
  return {
    id: card.id,
    object: 'buyer_saved_card' as const,
    merchant_name: merchantName,
    brand: card.brand,
    last4: card.last4,
    exp_month: card.expMonth,
    exp_year: card.expYear,
    created_at: card.createdAt.toISOString(),
  };
}
