import {
  type Clock,
  isId,
  newId,
  PayrailError,
  type PluginRegistry,
  type Shop,
  type ShopPatch,
  type Store,
} from '@payrail/core';

/**
 * Shop operations shared by the merchant API (`/v1/shops`, API key) and the personal account
 * (`/v1/account/shops`, session): both scope every call to one merchant, and another merchant's shop
 * is "not found" like an unknown one.
 */
export interface ShopDeps {
  store: Store;
  registry: PluginRegistry;
  clock: Clock;
}

export interface ShopInput {
  name?: string;
  url?: string;
  methods?: string[];
  provider_routes?: Record<string, string>;
  success_url?: string | null;
  fail_url?: string | null;
}

export const shopNotFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_SHOP_NOT_FOUND', {
    param: 'id',
    message: `No shop ${id.slice(0, 64)} belongs to your merchant; list yours with GET /v1/shops.`,
  });

/** The merchant's shop (archived included), or 404 PAYRAIL_ERR_SHOP_NOT_FOUND. */
export async function getShop(deps: Pick<ShopDeps, 'store'>, merchantId: string, id: string): Promise<Shop> {
  const shop = isId('shop', id) ? await deps.store.shops.get({ merchantId, id }) : null;
  if (!shop) throw shopNotFound(id);
  return shop;
}

/**
 * A `shop_id` filter (payments list, reports): the shop must be the merchant's, else 404
 * PAYRAIL_ERR_SHOP_NOT_FOUND on `param` — an unknown id must not read as "no payments".
 */
export async function assertShopFilter(
  store: Store,
  merchantId: string,
  shopId: string | undefined,
  param = 'shop_id',
): Promise<void> {
  if (shopId === undefined) return;
  const shop = isId('shop', shopId) ? await store.shops.get({ merchantId, id: shopId }) : null;
  if (!shop) {
    throw new PayrailError('PAYRAIL_ERR_SHOP_NOT_FOUND', {
      param,
      message: `No shop ${shopId.slice(0, 64)} belongs to your merchant; list yours with GET /v1/shops.`,
    });
  }
}

/**
 * Methods must be served by a registered provider, and each provider route must name a registered
 * instance that serves its method — a shop that could never take a payment is refused up front.
 */
function checkMethodsAndRoutes(
  registry: PluginRegistry,
  methods: readonly string[],
  routes: Record<string, string>,
): void {
  const available = new Set(registry.providers.flatMap((r) => r.plugin.paymentMethods));
  methods.forEach((method, i) => {
    if (!available.has(method)) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: `methods.${i}`,
        message: `Payment method "${method}" is not available; available methods: ${[...available].join(', ') || 'none'}.`,
      });
    }
  });
  if (new Set(methods).size !== methods.length) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'methods',
      message: 'methods lists a payment method twice; list each once.',
    });
  }
  for (const [method, route] of Object.entries(routes)) {
    const param = `provider_routes.${method}`;
    if (!methods.includes(method)) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param,
        message: `provider_routes names "${method}", which is not in the shop's methods; add it to methods or drop the route.`,
      });
    }
    const [pluginId = '', instanceId = ''] = route.split(':');
    const provider = registry.provider(pluginId, instanceId);
    if (!provider?.plugin.paymentMethods.includes(method)) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param,
        message: provider
          ? `Provider instance ${route} does not serve "${method}".`
          : `No provider instance ${route} is registered on this server; use "pluginId:instanceId" of a registered one.`,
      });
    }
  }
}

export async function createShop(deps: ShopDeps, merchantId: string, input: ShopInput): Promise<Shop> {
  const methods = input.methods ?? [];
  const providerRoutes = input.provider_routes ?? {};
  checkMethodsAndRoutes(deps.registry, methods, providerRoutes);
  const now = deps.clock.now();
  const shop: Shop = {
    id: newId('shop', now.getTime()),
    merchantId,
    name: input.name ?? '',
    url: input.url ?? '',
    methods,
    providerRoutes,
    successUrl: input.success_url ?? null,
    failUrl: input.fail_url ?? null,
    archived: false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.shops.insert({ shop });
  return shop;
}

export async function updateShop(
  deps: ShopDeps,
  merchantId: string,
  id: string,
  input: ShopInput,
): Promise<Shop> {
  const current = await getShop(deps, merchantId, id);
  if (current.archived) throw archived(current.id);
  const patch: ShopPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.url !== undefined) patch.url = input.url;
  if (input.methods !== undefined) patch.methods = input.methods;
  if (input.provider_routes !== undefined) patch.providerRoutes = input.provider_routes;
  if (input.success_url !== undefined) patch.successUrl = input.success_url;
  if (input.fail_url !== undefined) patch.failUrl = input.fail_url;
  // Checked against the shop as it will be: a method dropped must take its route along.
  checkMethodsAndRoutes(
    deps.registry,
    patch.methods ?? current.methods,
    patch.providerRoutes ?? current.providerRoutes,
  );
  const updated = await deps.store.shops.update({ merchantId, id, patch, now: deps.clock.now() });
  // Archived between the read and the write.
  if (!updated) throw archived(current.id);
  return updated;
}

export async function archiveShop(deps: ShopDeps, merchantId: string, id: string): Promise<Shop> {
  const shop = isId('shop', id)
    ? await deps.store.shops.archive({ merchantId, id, now: deps.clock.now() })
    : null;
  if (!shop) throw shopNotFound(id);
  return shop;
}

const archived = (id: string) =>
  new PayrailError('PAYRAIL_ERR_SHOP_ARCHIVED', {
    param: 'id',
    message: `Shop ${id} is archived and cannot be changed; create a new shop instead.`,
  });
