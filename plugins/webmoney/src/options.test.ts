import { describe, expect, it } from 'vitest';
import { baseOptions, RUB_PURSE, USD_PURSE } from '../test/fixtures';
import { DEFAULT_FORM_URL, webmoneyOptionsSchema } from './options';

const parse = (o: unknown) => webmoneyOptionsSchema.safeParse(o);

describe('webmoney options', () => {
  it('fills the defaults', () => {
    const o = webmoneyOptionsSchema.parse(baseOptions());
    expect(o).toMatchObject({
      hashMethod: 'SHA256',
      hash2: 'if_present',
      testMode: false,
      simMode: 0,
      formUrl: DEFAULT_FORM_URL,
      returnMethod: 'LINK',
      descriptionEncoding: 'base64',
    });
    expect(o.paymentFormSign).toBeUndefined();
    expect(o.x18).toBeUndefined();
    expect(DEFAULT_FORM_URL).toBe('https://merchant.webmoney.ru/lmi/payment_utf.asp');
  });

  it('accepts every option', () => {
    const r = parse(
      baseOptions({
        instanceId: 'shop-2',
        hashMethod: 'MD5',
        hash2: 'required',
        testMode: true,
        simMode: 2,
        paymentFormSign: { secretKey: 'x20', variant: 'no_trailing_semicolon', case: 'lower' },
        formUrl: 'https://merchant.wmtransfer.com/lmi/payment_utf.asp',
        returnMethod: 'POST',
        descriptionEncoding: 'plain',
        x18: { wmid: '811333344777', hashMethod: 'MD5' },
      }),
    );
    expect(r.success).toBe(true);
  });

  it.each([
    ['purse prefix does not match its currency', { purses: { USD: RUB_PURSE } }],
    ['EUR purse under RUB', { purses: { RUB: 'E123456789012' } }],
    ['BTC purse', { purses: { USD: 'X123456789012' } }],
    ['unknown currency key', { purses: { XYZ: USD_PURSE } }],
    ['malformed purse', { purses: { USD: 'Z12345' } }],
    ['no purse', { purses: {} }],
    ['empty secret', { secretKey: '' }],
    ['unknown hash method', { hashMethod: 'SHA1' }],
    ['sim mode 3', { testMode: true, simMode: 3 }],
    ['sim mode without test mode', { simMode: 1 }],
    ['http form URL', { formUrl: 'http://merchant.webmoney.ru/lmi/payment_utf.asp' }],
    ['not a URL', { formUrl: 'merchant' }],
    ['form sign without key', { paymentFormSign: { variant: 'trailing_semicolon' } }],
    ['form sign unknown variant', { paymentFormSign: { secretKey: 'k', variant: 'other' } }],
    ['bad WMID', { x18: { wmid: '123' } }],
    ['unknown key', { refunds: true }],
  ])('rejects: %s', (_name, over) => {
    expect(parse({ ...baseOptions(), ...over }).success).toBe(false);
  });

  it('says which purse is wrong and why', () => {
    const r = parse(baseOptions({ purses: { USD: RUB_PURSE } }));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['purses', 'USD']);
    expect(r.error?.issues[0]?.message).toContain('RUB');
  });
});
