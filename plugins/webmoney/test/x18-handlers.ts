import { createHash } from 'node:crypto';
import { HttpResponse, http } from 'msw';

/**
 * WebMoney X18 (XMLTransGet.asp) as described in shared/protocols/webmoney.md: POST XML, signature
 * sha256/md5(wmid + purse + payment no + key) lower-case hex; retval 0 with an <operation>, or 7.
 */
export interface X18Mock {
  wmid: string;
  secretKey: string;
  /** lmi_payment_no → paid amount ("12.46"); anything else is "not found". */
  paid: Map<string, { amount: string; wmtransid: string }>;
}

const text = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';

export function x18Handlers(mock: X18Mock) {
  return [
    http.post('*/conf/xml/XMLTransGet.asp', async ({ request }) => {
      const xml = await request.text();
      const wmid = text(xml, 'wmid');
      const purse = text(xml, 'lmi_payee_purse');
      const no = text(xml, 'lmi_payment_no');
      const sha = text(xml, 'sha256');
      const md5 = text(xml, 'md5');
      const base = wmid + purse + no + mock.secretKey;
      const ok =
        wmid === mock.wmid &&
        ((sha && sha === createHash('sha256').update(base).digest('hex')) ||
          (md5 && md5 === createHash('md5').update(base).digest('hex')));
      const headers = { 'content-type': 'text/xml; Charset=windows-1251' };
      if (!ok) {
        return new HttpResponse(
          '<merchant.response><retval>-4</retval><retdesc>sign error</retdesc></merchant.response>',
          {
            headers,
          },
        );
      }
      const paid = mock.paid.get(no);
      if (!paid) {
        return new HttpResponse(
          `<merchant.response><retval>7</retval><retdesc>Payment with lmi_payment_no number not found for this merchant purse:7 step=50</retdesc></merchant.response>`,
          { headers },
        );
      }
      return new HttpResponse(
        `<merchant.response><operation wmtransid="${paid.wmtransid}" wminvoiceid="987654321"><amount>${paid.amount}</amount>` +
          '<operdate>20151006 09:02:28</operdate><purpose>Transaction Description</purpose><pursefrom>Z987654321000</pursefrom>' +
          '<wmidfrom>404521188999</wmidfrom><capitallerflag>0</capitallerflag><enumflag>3</enumflag><IPAddress>127.0.0.1</IPAddress>' +
          '</operation><retval>0</retval><retdesc></retdesc></merchant.response>',
        { headers },
      );
    }),
  ];
}
