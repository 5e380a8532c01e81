import type { AcquiringBank, MerchantApplication } from '@payrail/core';
import type { ObjectId } from 'mongodb';

/**
 * A live-account application; `_id` derives from the merchant id, so "one application per merchant"
 * rests on `_id` like every other uniqueness in this store (keys.ts).
 */
export type ApplicationDoc = MerchantApplication & { _id: ObjectId };

export type AcquiringBankDoc = AcquiringBank & { _id: ObjectId };
