import { createHash } from 'node:crypto';

/** JSON with object keys sorted, dates as ISO strings: the same configuration always reads the same. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The version of an antifraud configuration: the first 16 hex digits of the SHA-256 of its canonical
 * JSON. A content hash rather than a counter, so every change (rules, list entries added, removed or
 * expired, limits) yields a new version with no store write, and equal configurations on different
 * processes report the same version.
 */
export function configVersion(config: unknown): string {
  return createHash('sha256').update(canonical(config)).digest('hex').slice(0, 16);
}
