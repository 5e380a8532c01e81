import { readFileSync } from 'node:fs';
import type { Shop } from '@payrail/core';
import Handlebars from 'handlebars';

/**
 * The integration snippet of a shop (`GET /v1/shops/:id/integration`): a payment button for the shop's
 * pages and a server-side example (curl and Node fetch). Filled with the shop id and the public base
 * URL only: the secret key is always the placeholder `sk_test_…`, since a snippet is copied around and
 * may be shown to staff who must not see keys.
 */
export interface ShopIntegration {
  paymentButtonHtml: string;
  curl: string;
  node: string;
}

const hbs = Handlebars.create();
const template = (file: string, options: CompileOptions = {}) =>
  hbs.compile(readFileSync(new URL(`./templates/${file}`, import.meta.url), 'utf8'), {
    strict: true,
    ...options,
  });

type CompileOptions = Parameters<typeof hbs.compile>[1];

// The HTML is escaped by Handlebars; the code samples are not HTML, and their values are made safe below.
const TEMPLATES = {
  button: template('payment-button.html.hbs'),
  curl: template('curl.sh.hbs', { noEscape: true }),
  node: template('node-fetch.js.hbs', { noEscape: true }),
};

/** A shop name fit for a one-line code comment: no line breaks or quotes to end the comment or string. */
const commentSafe = (name: string): string => name.replace(/[\r\n\u2028\u2029'"`\\]/g, ' ');

export function shopIntegration(shop: Shop, publicUrl: string): ShopIntegration {
  const base = publicUrl.replace(/\/$/, '');
  const method = shop.methods[0] ?? 'card';
  const context = {
    shop: { id: shop.id, name: shop.name },
    publicUrl: base,
    checkoutUrl: `${shop.url.replace(/\/$/, '')}/checkout`,
    amount: 1000,
    currency: 'RUB',
    method,
    returnUrl: shop.successUrl ?? shop.url,
  };
  const code = { ...context, shop: { id: shop.id, name: commentSafe(shop.name) } };
  return {
    paymentButtonHtml: TEMPLATES.button(context),
    curl: TEMPLATES.curl(code),
    node: TEMPLATES.node(code),
  };
}
