import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Payment, parseDecimal } from '@payrail/core';

/** What the buyer offers as proof of having made the payment. */
export type LookupProof =
  | { kind: 'email'; email: string }
  | { kind: 'phone'; phone: string }
  | { kind: 'card'; last4: string; amount: string };

const normalEmail = (email: string) => email.trim().toLowerCase();
/** Phones compare by their digits: "+7 (999) 000-11-22" and "79990001122" are the same number. */
const normalPhone = (phone: string) => phone.replace(/\D/g, '');

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares digests in constant time, so the time taken says nothing about how much of the secret matched.
 * A payment without the field is compared against a random value: same work, never equal.
 */
function sameSecret(expected: string | undefined, given: string): boolean {
  const a = digest(expected ?? randomBytes(16).toString('hex'));
  return timingSafeEqual(a, digest(given)) && expected !== undefined;
}

/** Whether the proof matches the payment. Malformed amounts simply do not match (no separate answer). */
export function proofMatches(payment: Payment, proof: LookupProof): boolean {
  switch (proof.kind) {
    case 'email': {
      const stored = payment.customer?.email;
      return sameSecret(stored === undefined ? undefined : normalEmail(stored), normalEmail(proof.email));
    }
    case 'phone': {
      const stored = payment.customer?.phone;
      const digits = stored === undefined ? undefined : normalPhone(stored);
      return sameSecret(digits === '' ? undefined : digits, normalPhone(proof.phone));
    }
    case 'card': {
      let amount: number | null;
      try {
        amount = parseDecimal(proof.amount, payment.currency);
      } catch {
        amount = null;
      }
      const last4 = sameSecret(payment.card?.last4, proof.last4);
      return last4 && amount === payment.amount;
    }
  }
}

/** The same work as a real check, for the case where no payment was found (uniform timing). */
export function dummyProofCheck(proof: LookupProof): void {
  sameSecret(
    undefined,
    proof.kind === 'email' ? proof.email : proof.kind === 'phone' ? proof.phone : proof.last4,
  );
}
