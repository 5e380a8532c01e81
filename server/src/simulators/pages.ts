import Handlebars from 'handlebars';

/**
 * The simulators' HTML pages (sandbox only). Templates live here as strings rather than .hbs files so
 * that the published build (tsup bundles TypeScript only) carries them. Handlebars escapes every `{{…}}`
 * value, so bill comments, descriptions and URLs coming from requests cannot inject markup.
 */
const hbs = Handlebars.create();

hbs.registerPartial(
  'layout',
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} — Payrail sandbox</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  .banner { background: #fff3cd; border: 1px solid #e0c36c; padding: .5rem .75rem; font-size: .85rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #666; } dd { margin: 0; word-break: break-all; }
  form.inline { display: inline-block; margin-right: .5rem; }
  button { font-size: 1rem; padding: .5rem 1.25rem; cursor: pointer; }
  .pay { background: #1a7f37; color: #fff; border: 0; } .decline { background: #eee; border: 1px solid #aaa; }
  .error { color: #b42318; }
</style>
</head>
<body>
<p class="banner">Simulated {{provider}} — Payrail sandbox (<code>PAYRAIL_SIMULATORS</code>). No real money moves.</p>
{{> @partial-block }}
</body>
</html>`,
);

const page = (body: string) => hbs.compile(`{{#> layout}}${body}{{/layout}}`, { strict: false });

/** QIWI's pay form for one bill: pay or refuse it. */
export const qiwiPayPage = page(`
<h1>Pay bill {{billId}}</h1>
<dl>
  <dt>Amount</dt><dd>{{amount}} {{currency}}</dd>
  <dt>Status</dt><dd>{{status}}</dd>
  {{#if comment}}<dt>Comment</dt><dd>{{comment}}</dd>{{/if}}
  <dt>Expires</dt><dd>{{expires}}</dd>
</dl>
{{#if waiting}}
<form class="inline" method="post" action="{{payAction}}">
  <input type="hidden" name="invoice_uid" value="{{billId}}">{{#if successUrl}}<input type="hidden" name="successUrl" value="{{successUrl}}">{{/if}}
  <button class="pay" type="submit">Pay {{amount}} {{currency}}</button>
</form>
<form class="inline" method="post" action="{{declineAction}}">
  <input type="hidden" name="invoice_uid" value="{{billId}}">{{#if successUrl}}<input type="hidden" name="successUrl" value="{{successUrl}}">{{/if}}
  <button class="decline" type="submit">Decline</button>
</form>
{{else}}
<p>This bill can no longer be paid.</p>
{{#if successUrl}}<p><a href="{{successUrl}}">Back to the shop</a></p>{{/if}}
{{/if}}
`);

/** WebMoney's payment page for one posted form. */
export const webmoneyPayPage = page(`
<h1>WebMoney payment</h1>
<dl>
  <dt>To purse</dt><dd>{{purse}}</dd>
  <dt>Amount</dt><dd>{{amount}} {{currency}}</dd>
  <dt>Order</dt><dd>{{paymentNo}}</dd>
  {{#if description}}<dt>For</dt><dd>{{description}}</dd>{{/if}}
  <dt>Mode</dt><dd>{{mode}}</dd>
</dl>
<form class="inline" method="post" action="{{payAction}}"><button class="pay" type="submit">Pay {{amount}} {{currency}}</button></form>
<form class="inline" method="post" action="{{declineAction}}"><button class="decline" type="submit">Decline</button></form>
`);

/** Sends the browser on with a POST (a form_post next action, or WebMoney's LMI_*_METHOD=1). */
export const autoPostPage = page(`
<h1>{{heading}}</h1>
<form id="next" method="post" action="{{url}}">
  {{#each fields}}<input type="hidden" name="{{@key}}" value="{{this}}">
  {{/each}}<button type="submit">Continue</button>
</form>
<script>document.getElementById('next').submit();</script>
`);

/** An outcome or a refusal, with a way on when there is one. */
export const resultPage = page(`
<h1 {{#if error}}class="error"{{/if}}>{{heading}}</h1>
{{#if message}}<p>{{message}}</p>{{/if}}
{{#if details}}<dl>{{#each details}}<dt>{{@key}}</dt><dd>{{this}}</dd>{{/each}}</dl>{{/if}}
{{#if continueUrl}}<p><a href="{{continueUrl}}">Continue</a></p>{{/if}}
`);
