import pg from 'pg';

/**
 * `pg` returns int8 (bigint) as a string because it can exceed 2^53. Payrail's amounts are integers of
 * minor units stored as bigint for headroom in sums, but the domain uses JS numbers: parse them, and
 * refuse a value that a number cannot hold exactly rather than silently rounding money.
 *
 * Set per pool (not with the global `pg.types.setTypeParser`) so the host application's own pg users
 * are not affected.
 */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed))
    throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return parsed;
}

export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};
