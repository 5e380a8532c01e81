import { describe, expect, it } from 'vitest';
import { buildX18Request, parseX18Response } from './x18';

describe('X18 request and response', () => {
  it('builds the documented request with the published signature', () => {
    expect(
      buildX18Request({
        wmid: '811333344777',
        purse: 'Z123428476799',
        paymentNo: '1444212666',
        secretKey: '226778888',
        hashMethod: 'SHA256',
      }),
    ).toBe(
      '<merchant.request><wmid>811333344777</wmid><lmi_payee_purse>Z123428476799</lmi_payee_purse>' +
        '<lmi_payment_no>1444212666</lmi_payment_no><lmi_payment_no_type>0</lmi_payment_no_type>' +
        '<sha256>0b1fbe2eaccf29e86e144c486b2ccf258b56fb54c295f195af7a749f6f5c79d4</sha256></merchant.request>',
    );
    expect(
      buildX18Request({
        wmid: '811333344777',
        purse: 'Z123428476799',
        paymentNo: '1444212666',
        secretKey: '226778888',
        hashMethod: 'MD5',
      }),
    ).toContain('<md5>edd00dcbfed2c3846393e9ce315b3af2</md5>');
  });

  it('reads the published success mock', () => {
    const xml =
      '<merchant.response><operation wmtransid="1234566789" wminvoiceid="987654321"><amount>12.46</amount>' +
      '<operdate>20151006 09:02:28</operdate><purpose>Transaction Description</purpose><pursefrom>Z987654321000</pursefrom>' +
      '<wmidfrom>404521188999</wmidfrom><capitallerflag>0</capitallerflag><enumflag>3</enumflag><IPAddress>127.0.0.1</IPAddress>' +
      '<telepat_phone></telepat_phone><telepat_paytype>null</telepat_paytype><paymer_number></paymer_number><paymer_email></paymer_email>' +
      '<paymer_type>null</paymer_type><cashier_number></cashier_number><cashier_date></cashier_date><cashier_amount>-1</cashier_amount>' +
      '<sdp_type></sdp_type><sdp_phone></sdp_phone><payer_countryid>AZ</payer_countryid><payer_pcountryid>  </payer_pcountryid></operation>' +
      '<retval>0</retval><retdesc></retdesc></merchant.response>';
    expect(parseX18Response(xml)).toEqual({
      found: true,
      amount: '12.46',
      wmTransId: '1234566789',
      wmInvoiceId: '987654321',
      operDate: '20151006 09:02:28',
    });
  });

  it('reads the published failure mock', () => {
    expect(
      parseX18Response(
        '<merchant.response><retval>7</retval><retdesc>Payment with lmi_payment_no number not found for this merchant purse:7 step=50</retdesc></merchant.response>',
      ),
    ).toEqual({
      found: false,
      retval: '7',
      retdesc: 'Payment with lmi_payment_no number not found for this merchant purse:7 step=50',
    });
  });

  it('refuses what is not a merchant.response', () => {
    expect(() => parseX18Response('<html>oops</html>')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_PROVIDER_REJECTED' }),
    );
    expect(() => parseX18Response('<merchant.response><retval>0</retval></merchant.response>')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_PROVIDER_REJECTED' }),
    );
  });
});
