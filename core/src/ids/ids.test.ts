import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, type IdKind, isId, newId, ulid } from './ids';

const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Decodes the 48-bit millisecond time in the first 10 characters of a ULID. */
function ulidTime(body: string): number {
  let t = 0;
  for (const char of body.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(char);
  return t;
}

describe('newId', () => {
  it.each(KINDS)('%s ids carry their prefix and a 26-character ULID body', (kind) => {
    const id = newId(kind);
    expect(id.startsWith(`${ID_PREFIXES[kind]}_`)).toBe(true);
    expect(id.slice(ID_PREFIXES[kind].length + 1)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(kind, id)).toBe(true);
  });

  it('uses the documented prefixes (pay_, re_, mer_, evt_, tkt_)', () => {
    expect(newId('payment')).toMatch(/^pay_/);
    expect(newId('refund')).toMatch(/^re_/);
    expect(newId('merchant')).toMatch(/^mer_/);
    expect(newId('event')).toMatch(/^evt_/);
    expect(newId('ticket')).toMatch(/^tkt_/);
  });

  it('prefixes are unique, so no id is valid for two kinds', () => {
    expect(new Set(Object.values(ID_PREFIXES)).size).toBe(KINDS.length);
    const id = newId('payment');
    for (const kind of KINDS) expect(isId(kind, id)).toBe(kind === 'payment');
  });

  it('encodes the creation time in the first ten characters', () => {
    const now = Date.now() + 60_000;
    const body = ulid(now);
    expect(ulidTime(body)).toBe(now);
  });

  it('is monotonic within a process: many ids in the same millisecond sort in creation order', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('payment'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays monotonic when the clock goes backwards', () => {
    const now = Date.now() + 120_000;
    const first = ulid(now);
    const second = ulid(now - 5_000);
    const third = ulid(now - 60_000);
    expect(first < second && second < third).toBe(true);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 30 })])(
    'ids made at later times sort after earlier ones',
    (steps) => {
      // Start beyond every time used so far, so each step is a real "later".
      let t = Date.now() + 10 * 60_000 + Math.floor(Math.random() * 1e6);
      const ids: string[] = [];
      for (const step of steps) {
        t += step;
        ids.push(newId('event', t));
      }
      expect([...ids].sort()).toEqual(ids);
    },
  );
});

describe('isId', () => {
  const body = '01J0000000ABCDEFGHJKMNPQRS';

  it('accepts a well-formed id', () => {
    expect(isId('payment', `pay_${body}`)).toBe(true);
    expect(isId('refund', `re_${body}`)).toBe(true);
  });

  it.each([
    ['wrong prefix', `re_${body}`],
    ['no prefix', body],
    ['prefix only', 'pay_'],
    ['lower-case body', `pay_${body.toLowerCase()}`],
    ['too short', `pay_${body.slice(1)}`],
    ['too long', `pay_${body}0`],
    ['letter I', `pay_${body.slice(0, 25)}I`],
    ['letter L', `pay_${body.slice(0, 25)}L`],
    ['letter O', `pay_${body.slice(0, 25)}O`],
    ['letter U', `pay_${body.slice(0, 25)}U`],
    ['trailing newline', `pay_${body}\n`],
    ['SQL', "pay_' OR 1=1 --"],
    ['prefix with a different separator', `pay-${body}`],
  ])('rejects %s', (_label, value) => {
    expect(isId('payment', value)).toBe(false);
  });

  test.prop([fc.string()])('never throws on arbitrary input', (value) => {
    expect(typeof isId('payment', value)).toBe('boolean');
  });
});
