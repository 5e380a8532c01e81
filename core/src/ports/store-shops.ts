/**
 * A merchant's shop (a site or app that takes payments). Shops are not per mode: like the merchant's
 * provider routes, one configuration serves test and live payments.
 */
export interface Shop {
  /** `shop_…` (core/src/ids). */
  id: string;
  merchantId: string;
  name: string;
  /** The shop's site, absolute http(s). */
  url: string;
  /** Payment methods this shop accepts; a payment of the shop with another method is refused. */
  methods: string[];
  /**
   * method → "pluginId:instanceId", the same format as `Merchant.providerRoutes`; it overrides the
   * merchant's route for that method on this shop's payments.
   */
  providerRoutes: Record<string, string>;
  /** Default `return_url` of the shop's payments (where the buyer goes after paying). */
  successUrl: string | null;
  /** Where the shop wants buyers sent when a payment fails (shown in the integration snippet). */
  failUrl: string | null;
  /** Archived shops take no new payments and are left out of lists; their payments keep the id. */
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a shop update may change (absent: unchanged). */
export type ShopPatch = Partial<
  Pick<Shop, 'name' | 'url' | 'methods' | 'providerRoutes' | 'successUrl' | 'failUrl'>
>;

export interface ShopRepository {
  insert(args: { shop: Shop }): Promise<void>;
  /** A shop of this merchant (archived included), or null: another merchant's shop is not found. */
  get(args: { merchantId: string; id: string }): Promise<Shop | null>;
  /** Unscoped read for the public payment lookup, which carries no merchant credentials. */
  getById(args: { id: string }): Promise<Shop | null>;
  /** The merchant's shops, oldest first; archived ones only when asked. */
  list(args: { merchantId: string; includeArchived?: boolean }): Promise<Shop[]>;
  /** Applies the patch to a non-archived shop of this merchant; the shop after it, or null. */
  update(args: { merchantId: string; id: string; patch: ShopPatch; now: Date }): Promise<Shop | null>;
  /** Archives a shop of this merchant; the shop after it, or null when it is not theirs. Idempotent. */
  archive(args: { merchantId: string; id: string; now: Date }): Promise<Shop | null>;
}
