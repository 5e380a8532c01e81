import type { IinCountryLookup } from './features';

/**
 * Looks up the issuing country of an IIN in the `iinCountries` option (prefix → country), the longest
 * matching prefix first. Payrail ships no IIN-country data, so an empty table knows no country.
 */
export function iinCountryLookup(table: Readonly<Record<string, string>>): IinCountryLookup {
  const prefixes = new Map(Object.entries(table));
  if (prefixes.size === 0) return () => undefined;
  return (first6) => {
    for (let length = Math.min(6, first6.length); length >= 1; length--) {
      const country = prefixes.get(first6.slice(0, length));
      if (country) return country;
    }
    return undefined;
  };
}
