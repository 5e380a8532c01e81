import { randomBytes } from 'node:crypto';
import { type CardDisplay, PayrailError } from '@payrail/core';
import { APPROVED } from './response-codes';

/**
 * What the plugin asks an acquirer for. The PAN is passed for the authorization only; an acquirer keeps
 * nothing of it but what `card` (display data and fingerprint) already holds.
 */
export interface AuthorizationRequest {
  /** Payrail's payment id: repeated requests for an approved payment return the same authorization. */
  paymentId: string;
  pan: string;
  /** Display data and fingerprint of the same card, kept with the authorization. */
  card: CardDisplay;
  amount: number;
  currency: string;
  /** Capture at once (sale) or only reserve the funds (authorization for a later capture). */
  capture: boolean;
}

export type AuthorizationStatus = 'authorized' | 'captured' | 'voided' | 'declined';

export interface AuthorizationRecord {
  /** The acquirer's reference, returned to core as `paymentRef`. */
  ref: string;
  paymentId: string;
  status: AuthorizationStatus;
  /** ISO 8583 response code ('00' approved). */
  responseCode: string;
  amount: number;
  currency: string;
  /** Display data only (brand, first 6, last 4, expiry, fingerprint). */
  card: CardDisplay;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  refunds: Map<string, { refundRef: string; amount: number }>;
}

/**
 * The seam for a live acquirer (and, later, 3-D Secure): the plugin talks to this interface only.
 * Failures are PayrailErrors; a declined authorization is a record with status `declined`.
 */
export interface CardAcquirer {
  authorize(req: AuthorizationRequest): Promise<AuthorizationRecord>;
  /** By reference, or by payment id when the reference was never learnt (e.g. after a timeout). */
  find(args: { ref?: string | null; paymentId: string }): Promise<AuthorizationRecord | undefined>;
  capture(ref: string, amount: number): Promise<AuthorizationRecord>;
  void(ref: string): Promise<AuthorizationRecord>;
  refund(
    ref: string,
    refundId: string,
    amount: number,
  ): Promise<{ refundRef: string; record: AuthorizationRecord }>;
}

/** The card whose authorization times out after reaching the acquirer. */
export const SANDBOX_TIMEOUT_CARD = '4000000000000408';

/**
 * Test cards with a fixed answer (Stripe's public test numbers, cards.md). Any other valid card is
 * approved; Luhn-valid Mir numbers (2200–2204) are approved too.
 */
export const SANDBOX_TEST_CARDS: Readonly<
  Record<string, { responseCode: string; result: string; timeoutAfterSending?: true }>
> = {
  '4242424242424242': { responseCode: APPROVED, result: 'approved (Visa)' },
  '5555555555554444': { responseCode: APPROVED, result: 'approved (Mastercard)' },
  '2223003122003222': { responseCode: APPROVED, result: 'approved (Mastercard 2-series)' },
  '2200000000000004': { responseCode: APPROVED, result: 'approved (Mir; any Luhn-valid 2200–2204 number)' },
  '378282246310005': { responseCode: APPROVED, result: 'approved (American Express, 4-digit CID)' },
  '4000000000000002': { responseCode: '05', result: 'declined: card_declined' },
  '4000000000009995': { responseCode: '51', result: 'declined: insufficient_funds' },
  '4000000000009987': { responseCode: '41', result: 'declined: lost_card' },
  '4000000000009979': { responseCode: '43', result: 'declined: stolen_card' },
  '4000000000000069': { responseCode: '54', result: 'declined: expired_card' },
  '4000000000000127': { responseCode: 'N7', result: 'declined: incorrect_cvc' },
  '4000000000000119': { responseCode: '96', result: 'declined: processing_error' },
  // The acquirer approves, but its answer never arrives: the call fails with an outcome-unknown timeout
  // and the payment stays `processing` until status sync (`syncPayment`) learns the approval.
  [SANDBOX_TIMEOUT_CARD]: {
    responseCode: APPROVED,
    result: 'times out after sending (outcome unknown); status sync then finds it approved',
    timeoutAfterSending: true,
  },
};

/** The sandbox's answer for a (valid) card number: its test-card answer, else approved. */
export function sandboxResponseCode(pan: string): string {
  return Object.hasOwn(SANDBOX_TEST_CARDS, pan) ? SANDBOX_TEST_CARDS[pan]!.responseCode : APPROVED;
}

const rejected = (message: string) => new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', { message });

/** How many authorizations the sandbox remembers by default (about 0.6 KB of heap each). */
export const SANDBOX_MAX_AUTHORIZATIONS = 10_000;

/**
 * A deterministic in-memory acquirer: answers by test card, keeps authorizations per instance so
 * capture, void and refund behave like a real acquirer's (partial capture, no capture after void,
 * refunds bounded by the captured amount). It stores no card data at all.
 *
 * It remembers the newest `maxAuthorizations` (default 10 000) and forgets older ones: kept forever,
 * they grew the server by ~0.6 KB per card payment (found by the 30-minute soak, docs/performance.md).
 * Capturing, voiding or refunding a forgotten authorization is refused as unknown, as a real acquirer
 * refuses a reference past its retention.
 */
export class SandboxAcquirer implements CardAcquirer {
  readonly #byRef = new Map<string, AuthorizationRecord>();
  readonly #approvedByPayment = new Map<string, string>();
  readonly #maxAuthorizations: number;

  constructor(options: { maxAuthorizations?: number } = {}) {
    this.#maxAuthorizations = options.maxAuthorizations ?? SANDBOX_MAX_AUTHORIZATIONS;
  }

  async authorize(req: AuthorizationRequest): Promise<AuthorizationRecord> {
    const previous = this.#approvedByPayment.get(req.paymentId);
    if (previous) return this.#byRef.get(previous)!;
    const responseCode = sandboxResponseCode(req.pan);
    const approved = responseCode === APPROVED;
    const record: AuthorizationRecord = {
      ref: `sbx_${randomBytes(12).toString('hex')}`,
      paymentId: req.paymentId,
      status: approved ? (req.capture ? 'captured' : 'authorized') : 'declined',
      responseCode,
      amount: req.amount,
      currency: req.currency,
      card: { ...req.card },
      amountAuthorized: approved ? req.amount : 0,
      amountCaptured: approved && req.capture ? req.amount : 0,
      amountRefunded: 0,
      refunds: new Map(),
    };
    this.#byRef.set(record.ref, record);
    if (approved) this.#approvedByPayment.set(req.paymentId, record.ref);
    this.#forgetOldest();
    if (Object.hasOwn(SANDBOX_TEST_CARDS, req.pan) && SANDBOX_TEST_CARDS[req.pan]!.timeoutAfterSending) {
      // Kept above, as a real acquirer would have: only the answer is lost.
      throw new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
        outcomeUnknown: true,
        message: 'The sandbox acquirer did not answer in time; status sync will learn the outcome.',
      });
    }
    return record;
  }

  async find({
    ref,
    paymentId,
  }: {
    ref?: string | null;
    paymentId: string;
  }): Promise<AuthorizationRecord | undefined> {
    const key = ref ?? this.#approvedByPayment.get(paymentId) ?? this.#latestFor(paymentId);
    const record = key === undefined ? undefined : this.#byRef.get(key);
    return record && record.paymentId === paymentId ? record : undefined;
  }

  async capture(ref: string, amount: number): Promise<AuthorizationRecord> {
    const r = this.#get(ref);
    // A second capture is a no-op reporting what was captured, as acquirers answer a duplicate.
    if (r.status === 'captured') return r;
    if (r.status !== 'authorized') throw rejected(`Cannot capture an authorization that is ${r.status}.`);
    if (amount > r.amountAuthorized) {
      throw rejected(`Cannot capture ${amount}: only ${r.amountAuthorized} is authorized.`);
    }
    // A partial capture releases the rest of the authorization.
    r.status = 'captured';
    r.amountCaptured = amount;
    return r;
  }

  async void(ref: string): Promise<AuthorizationRecord> {
    const r = this.#get(ref);
    if (r.status === 'voided') return r;
    if (r.status !== 'authorized') {
      throw rejected(
        r.status === 'captured'
          ? 'Cannot void a captured payment; refund it instead.'
          : `Cannot void an authorization that is ${r.status}.`,
      );
    }
    r.status = 'voided';
    return r;
  }

  async refund(
    ref: string,
    refundId: string,
    amount: number,
  ): Promise<{ refundRef: string; record: AuthorizationRecord }> {
    const r = this.#get(ref);
    const known = r.refunds.get(refundId);
    if (known) return { refundRef: known.refundRef, record: r };
    if (r.status !== 'captured') throw rejected(`Cannot refund a payment that is ${r.status}.`);
    const left = r.amountCaptured - r.amountRefunded;
    if (amount > left) throw rejected(`Cannot refund ${amount}: ${left} of the capture is left to refund.`);
    const refundRef = `sbxre_${randomBytes(12).toString('hex')}`;
    r.refunds.set(refundId, { refundRef, amount });
    r.amountRefunded += amount;
    return { refundRef, record: r };
  }

  /** Maps keep insertion order: the first entries are the oldest authorizations. */
  #forgetOldest(): void {
    for (const [ref, record] of this.#byRef) {
      if (this.#byRef.size <= this.#maxAuthorizations) return;
      this.#byRef.delete(ref);
      if (this.#approvedByPayment.get(record.paymentId) === ref)
        this.#approvedByPayment.delete(record.paymentId);
    }
  }

  #get(ref: string): AuthorizationRecord {
    const r = this.#byRef.get(ref);
    if (!r) throw rejected('The sandbox acquirer has no authorization with this reference.');
    return r;
  }

  #latestFor(paymentId: string): string | undefined {
    let latest: string | undefined;
    for (const [ref, r] of this.#byRef) if (r.paymentId === paymentId) latest = ref;
    return latest;
  }
}
