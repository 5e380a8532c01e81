import type { BuyerContact } from '@payrail/core';
import type { ObjectId } from 'mongodb';

/** A buyer's confirmed contact email; the `_id` derives from the address, so one buyer holds it. */
export type BuyerContactDoc = BuyerContact & { _id: ObjectId };
