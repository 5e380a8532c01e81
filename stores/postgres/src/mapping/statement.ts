import { type Column, paramOf } from './sql';

/**
 * One SQL statement assembled from data-modifying CTEs, with its parameters numbered as they are added.
 *
 * Why: a single statement is atomic on its own, so a write that used to be BEGIN + n statements + COMMIT
 * (n + 2 round trips, each holding a pooled connection) becomes one round trip. The payment path is
 * bound by these round trips (bench/README.md), and on PGlite a connection held across round trips
 * blocks every other request.
 */
export class Statement {
  readonly values: unknown[] = [];
  readonly #ctes: string[] = [];

  /** A placeholder for `value`, cast when the column is json (pg would send arrays as SQL arrays). */
  param<T>(column: Column<T>, source: T): string {
    this.values.push(paramOf(column, source));
    return column.json ? `$${this.values.length}::${column.json}` : `$${this.values.length}`;
  }

  /** A placeholder for a plain value whose type the database infers from where it is used. */
  value(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  with(name: string, body: string): this {
    this.#ctes.push(`${name} AS (${body})`);
    return this;
  }

  /** `WITH … <final>`; `final` is the statement's result (e.g. `SELECT * FROM changed`). */
  text(final: string): string {
    return this.#ctes.length === 0 ? final : `WITH ${this.#ctes.join(',\n')}\n${final}`;
  }
}

/** `INSERT INTO t (…) VALUES (…), (…)`: unconditional, parameter types inferred from the columns. */
export function insertValues<T>(
  statement: Statement,
  table: string,
  columns: readonly Column<T>[],
  sources: readonly T[],
): string {
  const tuples = sources.map((source) => `(${columns.map((c) => statement.param(c, source)).join(', ')})`);
  return `INSERT INTO ${table} (${columnList(columns)}) VALUES ${tuples.join(', ')}`;
}

/**
 * `INSERT INTO t (…) SELECT $a, $b … FROM <guard>`: inserts the row only if the CTE `guard` returned a
 * row, which makes every part of a statement conditional on its main change. One row per insert: in a
 * multi-row `SELECT … UNION ALL` or `VALUES` source PostgreSQL types untyped parameters as text.
 */
export function insertIf<T>(
  statement: Statement,
  guard: string,
  table: string,
  columns: readonly Column<T>[],
  source: T,
  suffix = '',
): string {
  const cells = columns.map((c) => statement.param(c, source)).join(', ');
  return `INSERT INTO ${table} (${columnList(columns)}) SELECT ${cells} FROM ${guard} ${suffix}`.trimEnd();
}

const columnList = <T>(columns: readonly Column<T>[]): string => columns.map((c) => c.name).join(', ');
