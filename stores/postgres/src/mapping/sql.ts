/** A table column and how to read its value from a domain object. */
export interface Column<T> {
  name: string;
  /** jsonb/json columns get their parameter as JSON text and a cast, since pg would turn arrays into SQL arrays. */
  json?: 'jsonb' | 'json';
  value(source: T): unknown;
}

/** A parameter for a json column: JSON text, or SQL NULL for null/undefined. */
export const jsonParam = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

export const paramOf = <T>(column: Column<T>, source: T): unknown =>
  column.json ? jsonParam(column.value(source)) : column.value(source);

const placeholder = <T>(column: Column<T>, index: number): string =>
  column.json ? `$${index}::${column.json}` : `$${index}`;

/** `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)` for any number of rows, with its parameters. */
export function insertRows<T>(table: string, columns: readonly Column<T>[], sources: readonly T[]) {
  const values: unknown[] = [];
  const tuples = sources.map((source) => {
    const cells = columns.map((column) => {
      values.push(paramOf(column, source));
      return placeholder(column, values.length);
    });
    return `(${cells.join(', ')})`;
  });
  const text = `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(', ')}`;
  return { text, values };
}

/** `SET a = $k, b = $k+1 …` over `columns`, numbering placeholders after `offset` parameters. */
export function setClause<T>(columns: readonly Column<T>[], source: T, offset: number) {
  const values = columns.map((column) => paramOf(column, source));
  const text = columns
    .map((column, i) => `${column.name} = ${placeholder(column, offset + i + 1)}`)
    .join(', ');
  return { text, values };
}
