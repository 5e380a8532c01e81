import type { Page } from '@payrail/core';

/** The port allows 1–100 items per page; the server validates, the store still refuses to load a table. */
export const clampLimit = (limit: number): number => Math.min(Math.max(Math.trunc(limit) || 1, 1), 100);

/** Rows were fetched with `limit + 1`: the extra row only says that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  return { data: rows.slice(0, limit).map(map), hasMore: rows.length > limit };
}

/** Collects `AND` conditions and their numbered parameters for a list query. */
export class Where {
  readonly conditions: string[] = [];
  readonly values: unknown[] = [];

  /** Adds `sql`, where `?` stands for the next parameter. */
  add(sql: string, value: unknown): this {
    this.values.push(value);
    this.conditions.push(sql.replace('?', `$${this.values.length}`));
    return this;
  }

  /** Adds the condition only when the value is present. */
  addIf(sql: string, value: unknown): this {
    return value === undefined || value === null ? this : this.add(sql, value);
  }

  get text(): string {
    return this.conditions.join(' AND ');
  }

  /** A placeholder for one more parameter after the conditions' (e.g. LIMIT). */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
