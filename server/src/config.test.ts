import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig: the database', () => {
  const url = 'postgres://postgres@127.0.0.1:5432/payrail';

  it('PostgreSQL runs hot statements prepared unless PAYRAIL_PG_PREPARED_STATEMENTS turns them off', () => {
    expect(loadConfig({ PAYRAIL_DATABASE_URL: url }).database).toEqual({
      kind: 'postgres',
      url,
      preparedStatements: true,
    });
    for (const off of ['off', '0', 'false']) {
      expect(loadConfig({ PAYRAIL_DATABASE_URL: url, PAYRAIL_PG_PREPARED_STATEMENTS: off }).database).toEqual(
        {
          kind: 'postgres',
          url,
          preparedStatements: false,
        },
      );
    }
  });

  it('a value that is not on/off is a configuration error that names the variable', () => {
    expect(() => loadConfig({ PAYRAIL_DATABASE_URL: url, PAYRAIL_PG_PREPARED_STATEMENTS: 'maybe' })).toThrow(
      /PAYRAIL_PG_PREPARED_STATEMENTS/,
    );
  });
});
