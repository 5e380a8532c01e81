import { PayrailError, type Store, type WebhookEndpoint } from '@payrail/core';

/**
 * The shop a new webhook endpoint is limited to, checked: it must be one of the merchant's shops (an
 * unknown or another merchant's shop is "not found" alike). Null or absent: every event of the merchant.
 * Archived shops are accepted: their payments still get refunds and status changes.
 */
export async function endpointShopId(
  store: Pick<Store, 'shops'>,
  merchantId: string,
  shopId: string | null | undefined,
): Promise<string | null> {
  if (shopId === null || shopId === undefined) return null;
  const shop = await store.shops.get({ merchantId, id: shopId });
  if (!shop) {
    throw new PayrailError('PAYRAIL_ERR_SHOP_NOT_FOUND', {
      param: 'shop_id',
      message: `No shop ${shopId.slice(0, 64)} belongs to your merchant; list yours with GET /v1/shops.`,
    });
  }
  return shop.id;
}

/** The shop of the payment an event is about (`payment.*`: the object; `refund.*`: its payment), or null. */
export function shopOfEvent(data: Record<string, unknown>): string | null {
  const payment = (data.payment ?? data.object) as { object?: unknown; shop_id?: unknown } | undefined;
  if (payment?.object !== 'payment') return null;
  return typeof payment.shop_id === 'string' ? payment.shop_id : null;
}

/** Whether an endpoint takes an event of this shop: an endpoint without a shop takes every event. */
export const endpointTakesShop = (endpoint: Pick<WebhookEndpoint, 'shopId'>, shopId: string | null) =>
  endpoint.shopId === null || endpoint.shopId === undefined || endpoint.shopId === shopId;
