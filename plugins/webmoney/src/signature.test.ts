import { describe, expect, it } from 'vitest';
import {
  hexEquals,
  lmiHash,
  lmiHash2,
  lmiHash2String,
  lmiHashString,
  paymentFormSign,
  type SignedNotificationFields,
  x18Hash,
} from './signature';

// Published vector: dercoder/omnipay-webmoney tests/Message/CompletePurchaseResponseTest.php.
const SECRET = '226778888';
const VECTOR: SignedNotificationFields = {
  LMI_PAYEE_PURSE: 'Z123428476799',
  LMI_PAYMENT_AMOUNT: '14.65',
  LMI_PAYMENT_NO: '1444212666',
  LMI_MODE: '1',
  LMI_SYS_INVS_NO: '897',
  LMI_SYS_TRANS_NO: '892',
  LMI_SYS_TRANS_DATE: '20151007 13:07:36',
  LMI_PAYER_PURSE: 'Z366393600555',
  LMI_PAYER_WM: '404521188333',
};

describe('LMI_HASH', () => {
  it('concatenates the fields in the documented order, secret key after the date', () => {
    expect(lmiHashString(VECTOR, SECRET)).toBe(
      'Z12342847679914.651444212666189789220151007 13:07:36226778888Z366393600555404521188333',
    );
  });

  it('matches the published SHA256 vector (upper-case hex)', () => {
    expect(lmiHash(VECTOR, SECRET, 'SHA256')).toBe(
      '0B12E75431284D6FCC05D8AF02B90AC28A0788FB95C9FF6B655344022F0746E5',
    );
  });

  it('matches the published MD5 vector (upper-case hex)', () => {
    expect(lmiHash(VECTOR, SECRET, 'MD5')).toBe('1D3FFAFA982B134479C4AD1AE2CABB5C');
  });

  it('the published negative case (…746E1) does not verify', () => {
    expect(
      hexEquals(
        lmiHash(VECTOR, SECRET, 'SHA256'),
        '0B12E75431284D6FCC05D8AF02B90AC28A0788FB95C9FF6B655344022F0746E1',
      ),
    ).toBe(false);
  });

  it('changes with every signed field and with the key', () => {
    const base = lmiHash(VECTOR, SECRET, 'SHA256');
    for (const key of Object.keys(VECTOR) as (keyof SignedNotificationFields)[]) {
      expect(lmiHash({ ...VECTOR, [key]: `${VECTOR[key]}1` }, SECRET, 'SHA256'), key).not.toBe(base);
    }
    expect(lmiHash(VECTOR, `${SECRET}0`, 'SHA256')).not.toBe(base);
  });
});

describe('LMI_HASH2', () => {
  it('joins the same fields with ";" and inserts LMI_HOLD after the amount only when present', () => {
    expect(lmiHash2String(VECTOR, SECRET)).toBe(
      'Z123428476799;14.65;1444212666;1;897;892;20151007 13:07:36;226778888;Z366393600555;404521188333',
    );
    expect(lmiHash2String({ ...VECTOR, LMI_HOLD: '3' }, SECRET)).toBe(
      'Z123428476799;14.65;3;1444212666;1;897;892;20151007 13:07:36;226778888;Z366393600555;404521188333',
    );
  });

  it('is upper-case SHA256 hex of that string', () => {
    const hash = lmiHash2(VECTOR, SECRET);
    expect(hash).toMatch(/^[0-9A-F]{64}$/);
    expect(hash).not.toBe(lmiHash(VECTOR, SECRET, 'SHA256'));
    expect(lmiHash2({ ...VECTOR, LMI_HOLD: '3' }, SECRET)).not.toBe(hash);
  });
});

describe('LMI_PAYMENTFORM_SIGN variants', () => {
  const input = { purse: 'Z123428476799', amount: '14.65', paymentNo: '1444212666' };
  it('trailing_semicolon hashes "PURSE;AMOUNT;NO;KEY;"', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('Z123428476799;14.65;1444212666;x20key;').digest('hex');
    expect(paymentFormSign(input, 'x20key', 'trailing_semicolon', 'lower')).toBe(expected);
    expect(paymentFormSign(input, 'x20key', 'trailing_semicolon', 'upper')).toBe(expected.toUpperCase());
  });
  it('no_trailing_semicolon hashes "PURSE;AMOUNT;[HOLD;]NO;KEY"', async () => {
    const { createHash } = await import('node:crypto');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex').toUpperCase();
    expect(paymentFormSign(input, 'x20key', 'no_trailing_semicolon', 'upper')).toBe(
      sha('Z123428476799;14.65;1444212666;x20key'),
    );
    expect(paymentFormSign({ ...input, hold: '5' }, 'x20key', 'no_trailing_semicolon', 'upper')).toBe(
      sha('Z123428476799;14.65;5;1444212666;x20key'),
    );
  });
});

describe('X18 signature', () => {
  // Published vector: dercoder FetchTransactionRequestTest.
  const q = { wmid: '811333344777', purse: 'Z123428476799', paymentNo: '1444212666' };
  it('matches the published sha256 and md5 (lower-case hex)', () => {
    expect(x18Hash(q, SECRET, 'SHA256')).toBe(
      '0b1fbe2eaccf29e86e144c486b2ccf258b56fb54c295f195af7a749f6f5c79d4',
    );
    expect(x18Hash(q, SECRET, 'MD5')).toBe('edd00dcbfed2c3846393e9ce315b3af2');
  });
});

describe('hexEquals', () => {
  it('ignores hex case, refuses other lengths and values', () => {
    expect(hexEquals('ABCDEF', 'abcdef')).toBe(true);
    expect(hexEquals('ABCDEF', 'ABCDE')).toBe(false);
    expect(hexEquals('ABCDEF', 'ABCDEE')).toBe(false);
    expect(hexEquals('ABCDEF', '')).toBe(false);
  });
});
