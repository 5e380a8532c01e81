/** Server-side login sessions: the cookie holds a random token, the store only its SHA-256. */
export interface Session {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  revokedAt: Date | null;
}

export interface SessionRepository {
  insert(args: { session: Session }): Promise<void>;
  /** The session with this token hash if not revoked and not expired at `now`. */
  findActiveByHash(args: { tokenHash: string; now: Date }): Promise<Session | null>;
  /** The user's active sessions at `now`, newest first. */
  listActive(args: { userId: string; now: Date }): Promise<Session[]>;
  /** Revokes one session of this user; false when it is not theirs or already revoked. */
  revoke(args: { userId: string; id: string; now: Date }): Promise<boolean>;
  /** Revokes every active session of the user except `exceptId`; returns how many were revoked. */
  revokeAll(args: { userId: string; now: Date; exceptId?: string }): Promise<number>;
}
