import { describe, expect, it } from 'vitest';
import { engineOf, input } from '../test/helpers';
import { extractFeatures } from './features';
import { iinCountryLookup } from './iin-countries';
import { parseAntifraudOptions } from './options';

/** A card payment with the given countries (undefined: not supplied). */
function geoInput(o: { card?: string; first6?: string; ip?: string; billing?: string; stored?: boolean }) {
  const base = input({ card: { first6: o.first6 ?? '424242', ...(o.card ? { country: o.card } : {}) } });
  return {
    ...base,
    payment: {
      ...base.payment,
      // Stored with the payment (what a backtest replays) or sent with the live request.
      ...(o.stored && o.ip ? { client: { ip: '203.0.113.7', userAgent: null, country: o.ip } } : {}),
      ...(o.billing ? { billing: { country: o.billing } } : {}),
    },
    client: { ip: '203.0.113.7', ...(o.ip && !o.stored ? { country: o.ip } : {}) },
  };
}

const TABLE = { '4242': 'US', '424299': 'GB', '2200': 'RU' };

describe('IIN country, IP country and billing country', () => {
  it.each([
    {
      name: 'all three agree',
      o: { card: 'RU', ip: 'RU', billing: 'RU' },
      countries: 1,
      ci: 0,
      cb: 0,
      ib: 0,
    },
    { name: 'IP abroad', o: { card: 'RU', ip: 'DE', billing: 'RU' }, countries: 2, ci: 1, cb: 0, ib: 1 },
    {
      name: 'all three differ',
      o: { card: 'RU', ip: 'DE', billing: 'NL' },
      countries: 3,
      ci: 1,
      cb: 1,
      ib: 1,
    },
    {
      name: 'billing unknown',
      o: { card: 'RU', ip: 'DE' },
      countries: 2,
      ci: 1,
      cb: undefined,
      ib: undefined,
    },
    {
      name: 'stored client country',
      o: { card: 'RU', ip: 'DE', stored: true },
      countries: 2,
      ci: 1,
      cb: undefined,
      ib: undefined,
    },
    {
      name: 'IIN from the table (longest prefix)',
      o: { first6: '424299', ip: 'GB' },
      countries: 1,
      ci: 0,
      cb: undefined,
      ib: undefined,
    },
    {
      name: 'IIN from a shorter prefix',
      o: { first6: '424201', ip: 'GB', billing: 'US' },
      countries: 2,
      ci: 1,
      cb: 0,
      ib: 1,
    },
    {
      name: 'card country wins over the table',
      o: { card: 'de', first6: '220012', billing: 'DE' },
      countries: 1,
      ci: undefined,
      cb: 0,
      ib: undefined,
    },
    {
      name: 'nothing known',
      o: { first6: '999999' },
      countries: undefined,
      ci: undefined,
      cb: undefined,
      ib: undefined,
    },
  ])('$name', ({ o, countries, ci, cb, ib }) => {
    const f = extractFeatures(geoInput(o), iinCountryLookup(TABLE));
    expect(f.static['geo.countries']).toBe(countries);
    expect(f.static['geo.card_ip_mismatch']).toBe(ci);
    expect(f.static['geo.card_billing_mismatch']).toBe(cb);
    expect(f.static['geo.ip_billing_mismatch']).toBe(ib);
  });

  it.each([
    { countries: 2, o: { card: 'RU', ip: 'RU', billing: 'RU' }, verdict: 'allow' },
    { countries: 2, o: { card: 'RU', ip: 'DE', billing: 'RU' }, verdict: 'review' },
    { countries: 3, o: { card: 'RU', ip: 'DE', billing: 'RU' }, verdict: 'allow' },
    { countries: 3, o: { card: 'RU', ip: 'DE', billing: 'NL' }, verdict: 'review' },
    { countries: 2, o: {}, verdict: 'allow' },
  ])('limits.countryMismatch countries=$countries: $o → $verdict', async ({ countries, o, verdict }) => {
    const engine = engineOf({ limits: { countryMismatch: { countries } } });
    const signal = await engine.assess(geoInput(o));
    expect(signal.verdict).toBe(verdict);
    if (verdict !== 'allow')
      expect(signal.reasons[0]).toMatch(/^limit:country_mismatch: card IIN country RU/);
  });

  it('is usable in rules (a merchant writes its own per mode)', async () => {
    const engine = engineOf({
      iinCountries: TABLE,
      rules: [
        {
          id: 'foreign-ip-big',
          description: 'card and IP countries differ on a big payment',
          action: 'deny',
          when: {
            all: [
              { field: 'geo.card_ip_mismatch', op: 'eq', value: 1 },
              { field: 'payment.amount', op: 'gt', value: 50_000 },
            ],
          },
        },
        {
          id: 'billing-nl',
          description: 'billing in NL',
          action: 'review',
          when: { field: 'billing.country', op: 'eq', value: 'nl' },
        },
      ],
    });
    expect((await engine.assess(geoInput({ first6: '424242', ip: 'DE' }))).verdict).toBe('deny');
    expect((await engine.assess(geoInput({ first6: '424242', ip: 'US' }))).verdict).toBe('allow');
    expect((await engine.assess(geoInput({ first6: '424242', ip: 'US', billing: 'NL' }))).verdict).toBe(
      'review',
    );
  });

  it('validates the IIN table and the limit', () => {
    expect(() => parseAntifraudOptions({ iinCountries: { '4242': 'ru' } })).toThrow(/iinCountries\.4242/);
    expect(() => parseAntifraudOptions({ iinCountries: { '4242': 'XX' } })).toThrow(/ISO 3166-1/);
    expect(() => parseAntifraudOptions({ iinCountries: { '42x': 'RU' } })).toThrow(/1–6 digits/);
    expect(() => parseAntifraudOptions({ limits: { countryMismatch: { countries: 4 } } })).toThrow(
      /limits\.countryMismatch\.countries/,
    );
  });
});
