import { hash, verify } from '@node-rs/argon2';
import { type Clock, type Logger, type Mode, PayrailError } from '@payrail/core';
import { cardFingerprint } from './fingerprint';

/** What payer authentication concluded, stored on the payment's card (`card.authentication`). */
export type AuthenticationResult = 'authenticated' | 'failed' | 'not_enrolled' | 'attempted';

/** Wrong codes allowed per payment; the third wrong one fails the payment with `authentication_failed`. */
export const MAX_CODE_ATTEMPTS = 3;
/** How long a buyer has to enter the code (the card waits in memory meanwhile). */
export const CHALLENGE_TTL_MS = 15 * 60_000;

// OWASP's argon2id baseline; algorithm 2 = Argon2id (the const enum cannot be imported here).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** An argon2id hash of an issuer's secret code: what an enrolment keeps instead of the code. */
export const hashSecretCode = (code: string): Promise<string> => hash(code, ARGON2_OPTIONS);

/** An issuer's registered IIN range: PANs whose first `first.length` digits lie in [first, last]. */
export interface IinRange {
  issuerId: string;
  first: string;
  last: string;
}

/** A cardholder's card enrolled by its issuer, known by fingerprint only. */
export interface Enrolment {
  issuerId: string;
  fingerprint: string;
  codeHash: string;
}

/**
 * Where issuers' IIN ranges and enrolled cards live. The sandbox issuer is an in-memory directory; a
 * store-backed one serves issuer accounts (see README).
 */
export interface IssuerDirectory {
  /** The issuer whose registered range covers this PAN in this mode, or null. */
  issuerFor(args: { pan: string; mode: Mode }): Promise<string | null>;
  /** The issuer's enrolment of the card with this fingerprint in this mode, or null. */
  enrolment(args: { issuerId: string; fingerprint: string; mode: Mode }): Promise<Enrolment | null>;
}

/**
 * Several directories asked in order: the first that knows an issuer for the PAN answers. Registration
 * keeps their ranges apart (issuer accounts cannot register a range overlapping the sandbox issuer's).
 */
export class ChainedIssuerDirectory implements IssuerDirectory {
  readonly #directories: readonly IssuerDirectory[];

  constructor(directories: readonly IssuerDirectory[]) {
    this.#directories = directories;
  }

  async issuerFor(args: { pan: string; mode: Mode }): Promise<string | null> {
    for (const directory of this.#directories) {
      const issuerId = await directory.issuerFor(args);
      if (issuerId) return issuerId;
    }
    return null;
  }

  async enrolment(args: { issuerId: string; fingerprint: string; mode: Mode }): Promise<Enrolment | null> {
    for (const directory of this.#directories) {
      const enrolment = await directory.enrolment(args);
      if (enrolment) return enrolment;
    }
    return null;
  }
}

/** Whether `pan` lies in the range (compared on the range's prefix length, as digit strings). */
export function inRange(pan: string, range: Pick<IinRange, 'first' | 'last'>): boolean {
  const prefix = pan.slice(0, range.first.length);
  return prefix.length === range.first.length && prefix >= range.first && prefix <= range.last;
}

/** An in-memory directory: the sandbox issuer, and tests. */
export class MemoryIssuerDirectory implements IssuerDirectory {
  readonly #ranges: (IinRange & { modes: readonly Mode[] })[] = [];
  readonly #enrolments = new Map<string, Enrolment>();

  addRange(range: IinRange, modes: readonly Mode[] = ['test', 'live']): void {
    this.#ranges.push({ ...range, modes });
  }

  enrol(enrolment: Enrolment): void {
    this.#enrolments.set(`${enrolment.issuerId}:${enrolment.fingerprint}`, enrolment);
  }

  async issuerFor({ pan, mode }: { pan: string; mode: Mode }): Promise<string | null> {
    // The most specific (longest) matching range wins.
    const matches = this.#ranges
      .filter((r) => r.modes.includes(mode) && inRange(pan, r))
      .sort((a, b) => b.first.length - a.first.length);
    return matches[0]?.issuerId ?? null;
  }

  async enrolment({ issuerId, fingerprint }: { issuerId: string; fingerprint: string }) {
    return this.#enrolments.get(`${issuerId}:${fingerprint}`) ?? null;
  }
}

/** The sandbox issuer: `4000000000003220` is enrolled with code `123456`, in test mode only. */
export const SANDBOX_ISSUER = { id: 'sandbox_issuer', card: '4000000000003220', code: '123456' } as const;
/** The sandbox issuer's range, for overlap checks of issuer accounts' ranges (test mode only). */
export const SANDBOX_ISSUER_RANGE = { first: SANDBOX_ISSUER.card, last: SANDBOX_ISSUER.card } as const;

export async function sandboxIssuerDirectory(
  fingerprintKey: string | Buffer,
): Promise<MemoryIssuerDirectory> {
  const directory = new MemoryIssuerDirectory();
  directory.addRange({ issuerId: SANDBOX_ISSUER.id, ...SANDBOX_ISSUER_RANGE }, ['test']);
  directory.enrol({
    issuerId: SANDBOX_ISSUER.id,
    fingerprint: cardFingerprint(SANDBOX_ISSUER.card, fingerprintKey),
    codeHash: await hashSecretCode(SANDBOX_ISSUER.code),
  });
  return directory;
}

export type ChallengeState = 'pending' | 'authenticated' | 'failed' | 'expired';

interface Challenge {
  issuerId: string;
  mode: Mode;
  codeHash: string;
  attempts: number;
  state: ChallengeState;
  expiresAt: number;
}

export type VerifyResult =
  | { state: 'authenticated' }
  | { state: 'failed' }
  | { state: 'pending'; attemptsLeft: number };

export interface IssuerStatistics {
  challenges: number;
  successes: number;
  failures: number;
}

/**
 * Where challenge statistics are counted. The server counts in its store (so every process adds to the
 * same numbers and they survive restarts); the default counts in this process's memory.
 */
export interface IssuerStatisticsCounter {
  increment(args: { issuerId: string; mode: Mode; statistic: keyof IssuerStatistics }): Promise<void>;
  read(args: { issuerId: string; mode: Mode }): Promise<IssuerStatistics>;
}

/** Statistics in memory: the sandbox default, and tests. */
export class MemoryIssuerStatistics implements IssuerStatisticsCounter {
  readonly #counts = new Map<string, IssuerStatistics>();

  async increment({
    issuerId,
    mode,
    statistic,
  }: {
    issuerId: string;
    mode: Mode;
    statistic: keyof IssuerStatistics;
  }) {
    const key = `${mode}:${issuerId}`;
    const counts = this.#counts.get(key) ?? { challenges: 0, successes: 0, failures: 0 };
    counts[statistic]++;
    this.#counts.set(key, counts);
  }

  async read({ issuerId, mode }: { issuerId: string; mode: Mode }): Promise<IssuerStatistics> {
    return { ...(this.#counts.get(`${mode}:${issuerId}`) ?? { challenges: 0, successes: 0, failures: 0 }) };
  }
}

/**
 * The payer-authentication service (3-D-Secure-like) Payrail runs for issuers: decides whether a card
 * needs a challenge, checks the buyer's code (argon2id, at most three tries) and counts per issuer.
 * Challenges live in this process's memory, like the card details waiting for them; the counts go to the
 * `statistics` counter (the server's is store-backed).
 */
export class PayerAuthentication {
  readonly #directory: IssuerDirectory;
  readonly #fingerprintKey: string | Buffer;
  readonly #clock: Clock;
  readonly #challenges = new Map<string, Challenge>();
  readonly #statistics: IssuerStatisticsCounter;
  readonly #logger: Logger | undefined;

  constructor(args: {
    directory: IssuerDirectory;
    fingerprintKey: string | Buffer;
    clock: Clock;
    statistics?: IssuerStatisticsCounter;
    /** Where a failed count is reported: statistics never fail a buyer's payment. */
    logger?: Logger;
  }) {
    this.#directory = args.directory;
    this.#fingerprintKey = args.fingerprintKey;
    this.#clock = args.clock;
    this.#statistics = args.statistics ?? new MemoryIssuerStatistics();
    this.#logger = args.logger;
  }

  /** Whether paying with this card needs the buyer's code, and if not, what the result is. */
  async check(args: {
    pan: string;
    mode: Mode;
  }): Promise<
    { result: 'challenge'; issuerId: string; codeHash: string } | { result: 'not_enrolled' | 'attempted' }
  > {
    const issuerId = await this.#directory.issuerFor(args);
    if (!issuerId) return { result: 'not_enrolled' };
    const fingerprint = cardFingerprint(args.pan, this.#fingerprintKey);
    const enrolment = await this.#directory.enrolment({ issuerId, fingerprint, mode: args.mode });
    // The issuer takes part but did not enrol this card: an attempted authentication.
    if (!enrolment) return { result: 'attempted' };
    return { result: 'challenge', issuerId, codeHash: enrolment.codeHash };
  }

  async start(args: { paymentId: string; issuerId: string; codeHash: string; mode: Mode }): Promise<void> {
    // Settled or abandoned challenges are kept a while for late syncs, then dropped: memory stays bounded.
    const cutoff = this.#clock.now().getTime() - CHALLENGE_TTL_MS;
    for (const [id, c] of this.#challenges) if (c.expiresAt < cutoff) this.#challenges.delete(id);
    this.#challenges.set(args.paymentId, {
      issuerId: args.issuerId,
      mode: args.mode,
      codeHash: args.codeHash,
      attempts: 0,
      state: 'pending',
      expiresAt: this.#clock.now().getTime() + CHALLENGE_TTL_MS,
    });
    await this.#count(args, 'challenges');
  }

  /** The challenge's state, or undefined when this process started none for the payment. */
  state(paymentId: string): ChallengeState | undefined {
    const challenge = this.#challenges.get(paymentId);
    if (challenge?.state === 'pending' && this.#clock.now().getTime() > challenge.expiresAt) {
      challenge.state = 'expired';
    }
    return challenge?.state;
  }

  /** Attempts left on a pending challenge (for the challenge page). */
  attemptsLeft(paymentId: string): number {
    const challenge = this.#challenges.get(paymentId);
    return challenge ? Math.max(0, MAX_CODE_ATTEMPTS - challenge.attempts) : 0;
  }

  /** Checks a code. Concurrent tries each use up an attempt first, so three is a hard limit. */
  async verify(args: { paymentId: string; code: string }): Promise<VerifyResult> {
    const state = this.state(args.paymentId);
    const challenge = this.#challenges.get(args.paymentId);
    if (!challenge || state === 'expired') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message: 'No verification is waiting for this payment (it may have expired); pay again.',
      });
    }
    if (state === 'authenticated' || state === 'failed') return { state };
    if (challenge.attempts >= MAX_CODE_ATTEMPTS) return { state: 'pending', attemptsLeft: 0 };
    challenge.attempts++;
    let ok = false;
    try {
      ok = await verify(challenge.codeHash, args.code);
    } catch {
      ok = false;
    }
    // Another request may have settled the challenge while argon2 ran.
    if (challenge.state !== 'pending')
      return { state: challenge.state === 'authenticated' ? 'authenticated' : 'failed' };
    if (ok) {
      challenge.state = 'authenticated';
      await this.#count(challenge, 'successes');
      return { state: 'authenticated' };
    }
    if (challenge.attempts >= MAX_CODE_ATTEMPTS) {
      challenge.state = 'failed';
      await this.#count(challenge, 'failures');
      return { state: 'failed' };
    }
    return { state: 'pending', attemptsLeft: MAX_CODE_ATTEMPTS - challenge.attempts };
  }

  /** Forgets a settled challenge (its payment has its result now). */
  forget(paymentId: string): void {
    this.#challenges.delete(paymentId);
  }

  /** An issuer's counts in a mode (from the configured counter). */
  statistics(issuerId: string, mode: Mode = 'test'): Promise<IssuerStatistics> {
    return this.#statistics.read({ issuerId, mode });
  }

  async #count(of: { issuerId: string; mode: Mode }, statistic: keyof IssuerStatistics): Promise<void> {
    try {
      await this.#statistics.increment({ issuerId: of.issuerId, mode: of.mode, statistic });
    } catch (error) {
      this.#logger?.warn(
        { issuerId: of.issuerId, mode: of.mode, statistic, err: error },
        'payer authentication: statistics count not recorded',
      );
    }
  }
}
