import type { Payment } from '@payrail/core';
import { PayrailError } from '@payrail/core';
import type { Collections } from '../collections';
import { providerRefKey } from '../documents';
import { isDuplicateKey } from '../errors';

/**
 * Claims the payment's provider reference (provider, instance, the provider's payment id) for it,
 * BEFORE the payment write that records the reference: the claim's `_id` derives from the reference, so
 * a second payment with the same reference fails here. Claiming again for the same payment is a no-op.
 *
 * A claim is never released. If the payment write after it fails (a version conflict, a crash), the
 * claim still names the one payment that may hold this reference, which a retry of that payment reuses
 * — and no other payment may hold it anyway: a provider gives each of our payments its own reference.
 */
export async function claimProviderRef({ providerRefs, run }: Collections, payment: Payment): Promise<void> {
  const paymentRef = payment.provider?.paymentRef;
  if (!payment.provider || paymentRef === undefined) return;
  const { id: providerId, instanceId } = payment.provider;
  const _id = providerRefKey(providerId, instanceId, paymentRef);
  await run(async () => {
    try {
      await providerRefs.insertOne({ _id, providerId, instanceId, paymentRef, paymentId: payment.id });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const holder = await providerRefs.findOne({ _id });
    const same =
      holder?.providerId === providerId &&
      holder.instanceId === instanceId &&
      holder.paymentRef === paymentRef;
    if (same && holder.paymentId === payment.id) return;
    throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: same
        ? `Provider reference ${providerId}/${instanceId}/${paymentRef} already belongs to payment ${holder.paymentId}`
        : `MongoDB store: the _id digest of provider reference ${paymentRef} matches another reference`,
      retryable: false,
    });
  });
}
