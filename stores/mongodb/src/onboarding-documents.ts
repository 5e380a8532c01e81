import type { AcquiringBank, LiveModeGrant, MerchantApplication } from '@payrail/core';
import type { ObjectId } from 'mongodb';

/**
 * A live-account application; `_id` derives from the merchant id, so "one application per merchant"
 * rests on `_id` like every other uniqueness in this store (keys.ts). `pendingGrant`: see applications.ts.
 */
export type ApplicationDoc = MerchantApplication & {
  _id: ObjectId;
  /** Set with an approval in the application's own write, removed once the merchant carries it. */
  pendingGrant?: LiveModeGrant;
};

export type AcquiringBankDoc = AcquiringBank & { _id: ObjectId };
