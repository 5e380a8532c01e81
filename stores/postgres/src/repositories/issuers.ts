import {
  type IinRangeRecord,
  type Issuer,
  type IssuerApiKey,
  type IssuerEnrolment,
  type IssuerRepository,
  type IssuerStatistic,
  iinRangesOverlap,
  type Mode,
} from '@payrail/core';
import type { Db } from '../db';
import { violates } from '../errors';
import { type Column, insertRows } from '../mapping/sql';

interface IssuerRow {
  id: string;
  name: string;
  created_at: Date;
}

interface IssuerKeyRow {
  id: string;
  issuer_id: string;
  mode: Mode;
  secret_hash: string;
  display_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

interface RangeRow {
  id: string;
  issuer_id: string;
  mode: Mode;
  first: string;
  last: string;
  created_at: Date;
}

interface EnrolmentRow {
  id: string;
  issuer_id: string;
  mode: Mode;
  fingerprint: string;
  pan_ciphertext: string;
  key_id: string;
  brand: string;
  first6: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  code_hash: string;
  created_at: Date;
  updated_at: Date;
  unenrolled_at: Date | null;
}

const KEY_COLUMNS: readonly Column<IssuerApiKey>[] = [
  { name: 'id', value: (k) => k.id },
  { name: 'issuer_id', value: (k) => k.issuerId },
  { name: 'mode', value: (k) => k.mode },
  { name: 'secret_hash', value: (k) => k.secretHash },
  { name: 'display_prefix', value: (k) => k.displayPrefix },
  { name: 'created_at', value: (k) => k.createdAt },
  { name: 'revoked_at', value: (k) => k.revokedAt },
];

const RANGE_COLUMNS: readonly Column<IinRangeRecord>[] = [
  { name: 'id', value: (r) => r.id },
  { name: 'issuer_id', value: (r) => r.issuerId },
  { name: 'mode', value: (r) => r.mode },
  { name: 'first', value: (r) => r.first },
  { name: 'last', value: (r) => r.last },
  { name: 'created_at', value: (r) => r.createdAt },
];

const ENROLMENT_COLUMNS: readonly Column<IssuerEnrolment>[] = [
  { name: 'id', value: (e) => e.id },
  { name: 'issuer_id', value: (e) => e.issuerId },
  { name: 'mode', value: (e) => e.mode },
  { name: 'fingerprint', value: (e) => e.fingerprint },
  { name: 'pan_ciphertext', value: (e) => e.panCiphertext },
  { name: 'key_id', value: (e) => e.keyId },
  { name: 'brand', value: (e) => e.brand },
  { name: 'first6', value: (e) => e.first6 },
  { name: 'last4', value: (e) => e.last4 },
  { name: 'exp_month', value: (e) => e.expMonth },
  { name: 'exp_year', value: (e) => e.expYear },
  { name: 'code_hash', value: (e) => e.codeHash },
  { name: 'created_at', value: (e) => e.createdAt },
  { name: 'updated_at', value: (e) => e.updatedAt },
  { name: 'unenrolled_at', value: (e) => e.unenrolledAt },
];

const toIssuer = (row: IssuerRow): Issuer => ({ id: row.id, name: row.name, createdAt: row.created_at });

const toKey = (row: IssuerKeyRow): IssuerApiKey => ({
  id: row.id,
  issuerId: row.issuer_id,
  mode: row.mode,
  secretHash: row.secret_hash,
  displayPrefix: row.display_prefix,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

const toRange = (row: RangeRow): IinRangeRecord => ({
  id: row.id,
  issuerId: row.issuer_id,
  mode: row.mode,
  first: row.first,
  last: row.last,
  createdAt: row.created_at,
});

const toEnrolment = (row: EnrolmentRow): IssuerEnrolment => ({
  id: row.id,
  issuerId: row.issuer_id,
  mode: row.mode,
  fingerprint: row.fingerprint,
  panCiphertext: row.pan_ciphertext,
  keyId: row.key_id,
  brand: row.brand,
  first6: row.first6,
  last4: row.last4,
  expMonth: row.exp_month,
  expYear: row.exp_year,
  codeHash: row.code_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  unenrolledAt: row.unenrolled_at,
});

// Column names are fixed here, never taken from input.
const STATISTIC_COLUMN: Record<IssuerStatistic, string> = {
  challenges: 'challenges',
  successes: 'successes',
  failures: 'failures',
};

export function issuerRepository(db: Db): IssuerRepository {
  const liveEnrolment = async (issuerId: string, mode: Mode, fingerprint: string) => {
    const rows = await db.query<EnrolmentRow>(
      `SELECT * FROM issuer_enrolments
        WHERE issuer_id = $1 AND mode = $2 AND fingerprint = $3 AND unenrolled_at IS NULL`,
      [issuerId, mode, fingerprint],
    );
    return rows[0] ? toEnrolment(rows[0]) : null;
  };

  return {
    async create({ issuer, apiKeys }) {
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO issuers (id, name, created_at) VALUES ($1, $2, $3)', [
          issuer.id,
          issuer.name,
          issuer.createdAt,
        ]);
        if (apiKeys.length > 0) {
          const insert = insertRows('issuer_api_keys', KEY_COLUMNS, apiKeys);
          await tx.query(insert.text, insert.values);
        }
      });
    },

    async get({ id }) {
      const rows = await db.query<IssuerRow>('SELECT * FROM issuers WHERE id = $1', [id]);
      return rows[0] ? toIssuer(rows[0]) : null;
    },

    async list() {
      const rows = await db.query<IssuerRow>('SELECT * FROM issuers ORDER BY id');
      return rows.map(toIssuer);
    },

    async listKeys({ issuerId }) {
      const rows = await db.query<IssuerKeyRow>(
        'SELECT * FROM issuer_api_keys WHERE issuer_id = $1 ORDER BY id',
        [issuerId],
      );
      return rows.map(toKey);
    },

    async addKey({ apiKey }) {
      const insert = insertRows('issuer_api_keys', KEY_COLUMNS, [apiKey]);
      await db.query(insert.text, insert.values);
    },

    async revokeKey({ issuerId, id, now }) {
      const rows = await db.query<IssuerKeyRow>(
        `UPDATE issuer_api_keys SET revoked_at = COALESCE(revoked_at, $3)
          WHERE id = $1 AND issuer_id = $2 RETURNING *`,
        [id, issuerId, now],
      );
      return rows[0] ? toKey(rows[0]) : null;
    },

    async findActiveKeyByHash({ secretHash }) {
      const rows = await db.query<IssuerKeyRow>(
        'SELECT * FROM issuer_api_keys WHERE secret_hash = $1 AND revoked_at IS NULL',
        [secretHash],
      );
      return rows[0] ? toKey(rows[0]) : null;
    },

    async addRange({ range }) {
      return db.transaction(async (tx) => {
        // Serialises range registrations (reads of ranges go on): the overlap check and the insert must
        // see the same set of ranges, and SHARE ROW EXCLUSIVE conflicts with itself.
        await tx.query('LOCK TABLE issuer_iin_ranges IN SHARE ROW EXCLUSIVE MODE');
        const { rows } = await tx.query<RangeRow>(
          `SELECT * FROM issuer_iin_ranges
            WHERE mode = $1 AND issuer_id <> $2
              AND rpad(first, 19, '0') <= rpad($4::text, 19, '9') AND rpad($3::text, 19, '0') <= rpad(last, 19, '9')
            ORDER BY id LIMIT 1`,
          [range.mode, range.issuerId, range.first, range.last],
        );
        const conflict = rows[0] ? toRange(rows[0]) : undefined;
        // The SQL and iinRangesOverlap say the same; the check keeps them honest.
        if (conflict && iinRangesOverlap(conflict, range)) return { ok: false as const, conflict };
        const insert = insertRows('issuer_iin_ranges', RANGE_COLUMNS, [range]);
        await tx.query(insert.text, insert.values);
        return { ok: true as const, range };
      });
    },

    async listRanges({ issuerId, mode }) {
      const rows = await db.query<RangeRow>(
        'SELECT * FROM issuer_iin_ranges WHERE issuer_id = $1 AND mode = $2 ORDER BY id',
        [issuerId, mode],
      );
      return rows.map(toRange);
    },

    async deleteRange({ issuerId, mode, id }) {
      const rows = await db.query(
        'DELETE FROM issuer_iin_ranges WHERE id = $1 AND issuer_id = $2 AND mode = $3 RETURNING id',
        [id, issuerId, mode],
      );
      return rows.length > 0;
    },

    async rangesCovering({ pan, mode }) {
      const rows = await db.queryPrepared<RangeRow>(
        `SELECT * FROM issuer_iin_ranges
          WHERE mode = $1 AND first <= $2::text COLLATE "C"
            AND length($2::text) >= length(first)
            AND substr($2::text, 1, length(first)) COLLATE "C" BETWEEN first AND last
          ORDER BY length(first) DESC, id`,
        [mode, pan],
      );
      return rows.map(toRange);
    },

    async enrol({ enrolment }) {
      const insert = insertRows('issuer_enrolments', ENROLMENT_COLUMNS, [enrolment]);
      for (;;) {
        try {
          await db.query(insert.text, insert.values);
          return { ok: true, enrolment };
        } catch (error) {
          if (!violates(error, 'issuer_enrolments_fingerprint_key')) throw error;
        }
        const existing = await liveEnrolment(enrolment.issuerId, enrolment.mode, enrolment.fingerprint);
        // Unenrolled between the two statements: try again (the insert now succeeds).
        if (existing) return { ok: false, existing };
      }
    },

    async getEnrolment({ issuerId, mode, id }) {
      const rows = await db.query<EnrolmentRow>(
        `SELECT * FROM issuer_enrolments
          WHERE id = $1 AND issuer_id = $2 AND mode = $3 AND unenrolled_at IS NULL`,
        [id, issuerId, mode],
      );
      return rows[0] ? toEnrolment(rows[0]) : null;
    },

    findEnrolment: ({ issuerId, mode, fingerprint }) => liveEnrolment(issuerId, mode, fingerprint),

    async resetCode({ issuerId, mode, id, codeHash, now }) {
      const rows = await db.query<EnrolmentRow>(
        `UPDATE issuer_enrolments SET code_hash = $4, updated_at = $5
          WHERE id = $1 AND issuer_id = $2 AND mode = $3 AND unenrolled_at IS NULL RETURNING *`,
        [id, issuerId, mode, codeHash, now],
      );
      return rows[0] ? toEnrolment(rows[0]) : null;
    },

    async unenrol({ issuerId, mode, id, now }) {
      // Crypto-shredding: the ciphertext goes in the same update that unenrols the card.
      const rows = await db.query(
        `UPDATE issuer_enrolments SET unenrolled_at = $4, updated_at = $4, pan_ciphertext = ''
          WHERE id = $1 AND issuer_id = $2 AND mode = $3 AND unenrolled_at IS NULL RETURNING id`,
        [id, issuerId, mode, now],
      );
      return rows.length > 0;
    },

    async listSealedWithOtherKey({ keyId, limit, startingAfter }) {
      const rows = await db.query<EnrolmentRow>(
        `SELECT * FROM issuer_enrolments
          WHERE key_id <> $1 AND unenrolled_at IS NULL AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $2`,
        [keyId, Math.max(1, Math.trunc(limit)), startingAfter ?? null],
      );
      return rows.map(toEnrolment);
    },

    async reseal({ id, expectedKeyId, keyId, panCiphertext }) {
      const rows = await db.query(
        `UPDATE issuer_enrolments SET key_id = $3, pan_ciphertext = $4
          WHERE id = $1 AND key_id = $2 AND unenrolled_at IS NULL RETURNING id`,
        [id, expectedKeyId, keyId, panCiphertext],
      );
      return rows.length > 0;
    },

    async incrementStatistic({ issuerId, mode, statistic }) {
      const column = STATISTIC_COLUMN[statistic];
      await db.query(
        `INSERT INTO issuer_statistics AS s (issuer_id, mode, ${column}) VALUES ($1, $2, 1)
         ON CONFLICT (issuer_id, mode) DO UPDATE SET ${column} = s.${column} + 1`,
        [issuerId, mode],
      );
    },

    async statistics({ issuerId, mode }) {
      const rows = await db.query<{ challenges: string; successes: string; failures: string }>(
        'SELECT challenges, successes, failures FROM issuer_statistics WHERE issuer_id = $1 AND mode = $2',
        [issuerId, mode],
      );
      const row = rows[0];
      return {
        challenges: Number(row?.challenges ?? 0),
        successes: Number(row?.successes ?? 0),
        failures: Number(row?.failures ?? 0),
      };
    },
  };
}
