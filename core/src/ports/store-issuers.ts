import type { Mode } from '../payments';

/**
 * An issuing bank using Payrail's payer-authentication service (3-D-Secure-like). It is not a merchant:
 * it authenticates with its own `ik_test_…`/`ik_live_…` keys and sees only its IIN ranges, enrolled cards
 * and challenge statistics.
 */
export interface Issuer {
  /** `iss_…` */
  id: string;
  name: string;
  createdAt: Date;
}

/** An issuer's API key: only the SHA-256 of the secret is stored, as for merchant keys. */
export interface IssuerApiKey {
  id: string;
  issuerId: string;
  mode: Mode;
  secretHash: string;
  /** `ik_test_4f9a…` for display; never enough to use. */
  displayPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * An IIN range an issuer registered in one mode: PANs whose first `first.length` digits lie in
 * [first, last] (both digit strings of the same length). Ranges of different issuers never overlap.
 */
export interface IinRangeRecord {
  /** `iin_…` */
  id: string;
  issuerId: string;
  mode: Mode;
  first: string;
  last: string;
  createdAt: Date;
}

/**
 * A cardholder's card enrolled for payer authentication. The PAN exists only as vault ciphertext (bound to
 * the enrolment id); the secret code only as an argon2id hash. An unenrolled card loses its ciphertext.
 */
export interface IssuerEnrolment {
  /** `enr_…`, also the additional authenticated data of the ciphertext. */
  id: string;
  issuerId: string;
  mode: Mode;
  /** Keyed HMAC of the PAN (the cards plugin's fingerprint): how a payment finds its enrolment. */
  fingerprint: string;
  /** base64url of iv ‖ ciphertext ‖ tag; empty once unenrolled (crypto-shredded). */
  panCiphertext: string;
  /** Id of the vault key that sealed `panCiphertext`. */
  keyId: string;
  brand: string;
  first6: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** argon2id hash of the cardholder's secret code. */
  codeHash: string;
  createdAt: Date;
  updatedAt: Date;
  unenrolledAt: Date | null;
}

export interface IssuerStatisticsCounts {
  challenges: number;
  successes: number;
  failures: number;
}

export type IssuerStatistic = keyof IssuerStatisticsCounts;

export interface IssuerScope {
  issuerId: string;
  mode: Mode;
}

export type AddRangeResult =
  | { ok: true; range: IinRangeRecord }
  /** Another issuer's range of the same mode shares at least one PAN with the new one: nothing written. */
  | { ok: false; conflict: IinRangeRecord };

export type EnrolResult =
  | { ok: true; enrolment: IssuerEnrolment }
  /** The issuer already has a live enrolment of this card in this mode: nothing written. */
  | { ok: false; existing: IssuerEnrolment };

/** Whether two ranges share a PAN: compared as 19-digit bounds (first padded with 0s, last with 9s). */
export function iinRangesOverlap(
  a: Pick<IinRangeRecord, 'first' | 'last'>,
  b: Pick<IinRangeRecord, 'first' | 'last'>,
): boolean {
  const low = (s: string) => s.padEnd(19, '0');
  const high = (s: string) => s.padEnd(19, '9');
  return low(a.first) <= high(b.last) && low(b.first) <= high(a.last);
}

/** Whether `pan` lies in the range (compared on the range's prefix length, as digit strings). */
export function panInIinRange(pan: string, range: Pick<IinRangeRecord, 'first' | 'last'>): boolean {
  const prefix = pan.slice(0, range.first.length);
  return prefix.length === range.first.length && prefix >= range.first && prefix <= range.last;
}

export interface IssuerRepository {
  /** Creates the issuer and its first keys atomically. */
  create(args: { issuer: Issuer; apiKeys: IssuerApiKey[] }): Promise<void>;
  get(args: { id: string }): Promise<Issuer | null>;
  /** Every issuer, oldest first (the back office lists them; issuers are few). */
  list(): Promise<Issuer[]>;
  /** The issuer's keys (revoked ones included), oldest first. */
  listKeys(args: { issuerId: string }): Promise<IssuerApiKey[]>;
  /** Adds a key to an existing issuer (rotation: the old keys keep working until revoked). */
  addKey(args: { apiKey: IssuerApiKey }): Promise<void>;
  /**
   * Revokes one of the issuer's keys (a key already revoked keeps its first `revokedAt`). The key after
   * the change, or null when the issuer has no key with this id.
   */
  revokeKey(args: { issuerId: string; id: string; now: Date }): Promise<IssuerApiKey | null>;
  /** The active (not revoked) issuer key with this hash, or null. */
  findActiveKeyByHash(args: { secretHash: string }): Promise<IssuerApiKey | null>;

  /** Adds a range unless another issuer's range of the same mode overlaps it (checked atomically). */
  addRange(args: { range: IinRangeRecord }): Promise<AddRangeResult>;
  /** The issuer's ranges in this mode, oldest first. */
  listRanges(args: IssuerScope): Promise<IinRangeRecord[]>;
  /** Deletes one of the issuer's ranges; false when it is not theirs (or not in this mode). */
  deleteRange(args: IssuerScope & { id: string }): Promise<boolean>;
  /** Every range of this mode that covers `pan` (of any issuer). */
  rangesCovering(args: { pan: string; mode: Mode }): Promise<IinRangeRecord[]>;

  /** Enrols a card, atomically deduplicated per issuer, mode and fingerprint among live enrolments. */
  enrol(args: { enrolment: IssuerEnrolment }): Promise<EnrolResult>;
  /** A live enrolment of the issuer, or null (another issuer's enrolment is simply not found). */
  getEnrolment(args: IssuerScope & { id: string }): Promise<IssuerEnrolment | null>;
  /** The issuer's live enrolment of the card with this fingerprint, or null. */
  findEnrolment(args: IssuerScope & { fingerprint: string }): Promise<IssuerEnrolment | null>;
  /** Replaces the code hash of a live enrolment; the enrolment after the change, or null. */
  resetCode(args: IssuerScope & { id: string; codeHash: string; now: Date }): Promise<IssuerEnrolment | null>;
  /** Marks the enrolment unenrolled and erases its ciphertext. False if there was no live one. */
  unenrol(args: IssuerScope & { id: string; now: Date }): Promise<boolean>;

  /** Live enrolments not sealed under `keyId`, in id order after `startingAfter` (`payrail vault rotate`). */
  listSealedWithOtherKey(args: {
    keyId: string;
    limit: number;
    startingAfter?: string;
  }): Promise<IssuerEnrolment[]>;
  /** Replaces the ciphertext if the enrolment is live and still under `expectedKeyId` (compare-and-set). */
  reseal(args: { id: string; expectedKeyId: string; keyId: string; panCiphertext: string }): Promise<boolean>;

  /** Adds one to a statistics counter, atomically under concurrent writers. */
  incrementStatistic(args: IssuerScope & { statistic: IssuerStatistic }): Promise<void>;
  /** The counters (zeros when nothing was counted yet). */
  statistics(args: IssuerScope): Promise<IssuerStatisticsCounts>;
}
