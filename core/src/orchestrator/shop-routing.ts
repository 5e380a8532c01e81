import { PayrailError } from '../errors';
import type { Merchant, Store } from '../ports/store';
import type { Shop } from '../ports/store-shops';

/**
 * The shop a new payment names, checked: it must be the merchant's (else "not found", like any other
 * merchant's object), not archived, and accept the payment's method.
 */
export async function shopForPayment(
  store: Pick<Store, 'shops'>,
  merchantId: string,
  request: { shopId?: string | null; method: string },
): Promise<Shop> {
  const shopId = request.shopId ?? '';
  const shop = await store.shops.get({ merchantId, id: shopId });
  if (!shop) {
    throw new PayrailError('PAYRAIL_ERR_SHOP_NOT_FOUND', {
      param: 'shop_id',
      message: `No shop ${shopId.slice(0, 64)} belongs to your merchant; list yours with GET /v1/shops.`,
    });
  }
  if (shop.archived) {
    throw new PayrailError('PAYRAIL_ERR_SHOP_ARCHIVED', {
      param: 'shop_id',
      message: `Shop ${shop.id} is archived and takes no new payments.`,
    });
  }
  if (!shop.methods.includes(request.method)) {
    throw new PayrailError('PAYRAIL_ERR_SHOP_METHOD_NOT_ENABLED', {
      param: 'method',
      message: `Shop ${shop.id} does not accept "${request.method}"; its methods are: ${shop.methods.join(', ') || 'none'}.`,
    });
  }
  return shop;
}

/** The provider routes a payment follows: the shop's, where it has one for the method, over the merchant's. */
export function routesOf(
  merchant: Pick<Merchant, 'providerRoutes'>,
  shop: Pick<Shop, 'providerRoutes'> | null,
): Pick<Merchant, 'providerRoutes'> {
  return shop ? { providerRoutes: { ...merchant.providerRoutes, ...shop.providerRoutes } } : merchant;
}
