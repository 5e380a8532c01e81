import {
  isKnownCurrency,
  type PaymentProvider,
  PROVIDER_CAPABILITY_METHODS,
  type ProviderCapability,
  type ProviderPaymentView,
} from '@payrail/core';
import { expect } from 'vitest';
import {
  catchError,
  expectPayrailError,
  expectValidPaymentOutcome,
  expectValidRefundOutcome,
  settlesOrThrowsPayrailError,
} from './check-outcome';
import type { ProviderContractSetup, ProviderUnderTest } from './contract';

export interface ProviderCaseContext {
  setup: ProviderContractSetup;
  /** Starts the provider (through the plugin registry) for this case; closed after the case. */
  start(): Promise<ProviderUnderTest>;
  /** Reports the case as skipped, with the reason printed. */
  skip(reason: string): never;
}

export interface ProviderContractCase {
  name: string;
  /** The capability the case exercises; a plugin without it skips the case with that reason. */
  needs?: ProviderCapability;
  run(ctx: ProviderCaseContext): Promise<void>;
}

const GARBAGE_OPTIONS: unknown[] = [undefined, null, 42, 'x', [], { instanceId: 7 }];

/** The payment view to pass after createPayment answered (with the provider's reference, if any). */
const after = (payment: ProviderPaymentView, paymentRef: string | undefined): ProviderPaymentView => ({
  ...payment,
  paymentRef: paymentRef ?? null,
});

async function createSucceededOrSkip(
  p: ProviderUnderTest,
  ctx: ProviderCaseContext,
  captureMethod: 'automatic' | 'manual',
  wanted: 'succeeded' | 'authorized',
) {
  const input = ctx.setup.scenarios.success(p.input({ captureMethod }));
  const outcome = await p.provider.createPayment(input);
  expectValidPaymentOutcome(outcome, input.payment);
  if (outcome.status !== wanted) {
    ctx.skip(
      `the success scenario with captureMethod ${captureMethod} answered ${outcome.status}, not ${wanted}; this case needs a provider that settles at once`,
    );
  }
  return { input, outcome, payment: after(input.payment, outcome.paymentRef) };
}

export const PROVIDER_CONTRACT_CASES: readonly ProviderContractCase[] = [
  {
    name: 'plugin value: kind, manifest, instanceId, capabilities, methods and currencies',
    async run({ setup }) {
      const plugin = setup.plugin();
      expect(plugin.kind).toBe('provider');
      expect(plugin.manifest.id).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      expect(plugin.manifest.name.trim().length).toBeGreaterThan(0);
      expect(plugin.manifest.version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/);
      expect(plugin.manifest.coreRange.trim().length).toBeGreaterThan(0);
      expect(plugin.instanceId).toMatch(/^[a-z0-9][a-z0-9_-]{0,62}$/);
      expect(new Set(plugin.capabilities).size).toBe(plugin.capabilities.length);
      for (const capability of plugin.capabilities)
        expect(Object.keys(PROVIDER_CAPABILITY_METHODS)).toContain(capability);
      expect(plugin.paymentMethods.length).toBeGreaterThan(0);
      for (const method of plugin.paymentMethods) expect(method).toMatch(/^[a-z][a-z0-9_]*$/);
      if (plugin.currencies !== 'any') {
        expect(plugin.currencies.length).toBeGreaterThan(0);
        for (const currency of plugin.currencies) expect(isKnownCurrency(currency), currency).toBe(true);
      }
      expect(['payment_page', 'immediate']).toContain(plugin.confirmation);
      expect(plugin.init).toBeTypeOf('function');
      expect(plugin.optionsSchema.safeParse).toBeTypeOf('function');
    },
  },
  {
    name: 'boots through the plugin registry: coreRange is a valid semver range that matches this core',
    async run({ start }) {
      // createPluginRegistry checks the range with semver, parses the options and checks capabilities.
      const p = await start();
      expect(p.provider.createPayment).toBeTypeOf('function');
      expect(p.provider.syncPayment).toBeTypeOf('function');
    },
  },
  {
    name: 'options schema accepts the given options and rejects garbage',
    async run({ setup }) {
      const plugin = setup.plugin();
      expect(plugin.optionsSchema.safeParse(plugin.options).success, 'the setup options must be valid').toBe(
        true,
      );
      for (const bad of [...GARBAGE_OPTIONS, ...(setup.invalidOptions ?? [])]) {
        expect(
          plugin.optionsSchema.safeParse(bad).success,
          `options ${JSON.stringify(bad)} must be rejected`,
        ).toBe(false);
      }
    },
  },
  {
    name: 'declared capabilities ⇔ implemented methods',
    async run({ start }) {
      const p = await start();
      const declared = new Set<string>(p.plugin.capabilities);
      for (const [capability, method] of Object.entries(PROVIDER_CAPABILITY_METHODS)) {
        const implemented = p.provider[method as keyof PaymentProvider] !== undefined;
        expect(
          implemented,
          `capability "${capability}" declared=${declared.has(capability)} but ${method} implemented=${implemented}`,
        ).toBe(declared.has(capability));
      }
      if (p.provider.webhooks) {
        expect(p.provider.webhooks.parse).toBeTypeOf('function');
        expect(p.provider.webhooks.respond).toBeTypeOf('function');
      }
    },
  },
  {
    name: 'createPayment: the success scenario gives a valid, non-declined outcome',
    async run({ setup, start }) {
      const p = await start();
      const input = setup.scenarios.success(p.input());
      const outcome = await p.provider.createPayment(input);
      expectValidPaymentOutcome(outcome, input.payment);
      expect(outcome.status).not.toBe('declined');
      expect(outcome.status).not.toBe('canceled');
    },
  },
  {
    name: 'syncPayment agrees with createPayment and never regresses a settled payment',
    async run({ setup, start }) {
      const p = await start();
      const input = setup.scenarios.success(p.input());
      const created = await p.provider.createPayment(input);
      const synced = await p.provider.syncPayment({ payment: after(input.payment, created.paymentRef) });
      expectValidPaymentOutcome(synced, input.payment);
      if (created.status === 'succeeded' || created.status === 'authorized')
        expect(synced.status).toBe(created.status);
      if (created.paymentRef && synced.paymentRef) expect(synced.paymentRef).toBe(created.paymentRef);
    },
  },
  {
    name: 'createPayment: a decline is data with a normalised decline code, not an error',
    async run({ setup, start }) {
      const p = await start();
      const input = setup.scenarios.decline(p.input());
      const outcome = await p.provider.createPayment(input);
      expectValidPaymentOutcome(outcome, input.payment);
      expect(outcome.status).toBe('declined');
    },
  },
  {
    name: 'createPayment: a failing call throws a PayrailError, not a raw error',
    async run({ setup, start, skip }) {
      const failure = setup.scenarios.failure;
      if (!failure) return skip('setup.scenarios.failure is not given');
      const p = await start();
      expectPayrailError(await catchError(() => p.provider.createPayment(failure(p.input()))));
    },
  },
  {
    name: 'a payment the provider never saw: every call answers validly or throws a PayrailError',
    async run({ start }) {
      const p = await start();
      const payment = { ...p.input().payment, paymentRef: 'unknown-ref-0000' };
      const synced = await settlesOrThrowsPayrailError(() => p.provider.syncPayment({ payment }));
      if (synced.ok) expectValidPaymentOutcome(synced.value, payment);
      if (p.provider.capturePayment) {
        await settlesOrThrowsPayrailError(() =>
          p.provider.capturePayment!({ payment, amount: payment.amount }),
        );
      }
      if (p.provider.cancelPayment)
        await settlesOrThrowsPayrailError(() => p.provider.cancelPayment!({ payment }));
      if (p.provider.refundPayment) {
        const refunded = await settlesOrThrowsPayrailError(() =>
          p.provider.refundPayment!({
            payment,
            refundId: 're_01J00000000000000000000000',
            amount: 1,
            reason: null,
          }),
        );
        if (refunded.ok) expectValidRefundOutcome(refunded.value);
      }
    },
  },
  {
    name: 'capture: a manual-capture payment is authorized, captured up to the authorized amount, not beyond',
    needs: 'capture',
    async run(ctx) {
      const p = await ctx.start();
      const first = await createSucceededOrSkip(p, ctx, 'manual', 'authorized');
      const captured = await p.provider.capturePayment!({
        payment: first.payment,
        amount: first.payment.amount,
      });
      expect(Number.isSafeInteger(captured.amountCaptured)).toBe(true);
      expect(captured.amountCaptured).toBeGreaterThan(0);
      expect(captured.amountCaptured).toBeLessThanOrEqual(first.payment.amount);
      const synced = await p.provider.syncPayment({ payment: first.payment });
      expectValidPaymentOutcome(synced, first.payment);
      expect(synced.status).toBe('succeeded');

      const second = await createSucceededOrSkip(p, ctx, 'manual', 'authorized');
      expectPayrailError(
        await catchError(() =>
          p.provider.capturePayment!({ payment: second.payment, amount: second.payment.amount + 1 }),
        ),
      );
    },
  },
  {
    name: 'cancel: an authorization can be voided',
    needs: 'cancel',
    async run(ctx) {
      const p = await ctx.start();
      const { payment } = await createSucceededOrSkip(p, ctx, 'manual', 'authorized');
      await p.provider.cancelPayment!({ payment });
      const synced = await p.provider.syncPayment({ payment });
      expectValidPaymentOutcome(synced, payment);
      expect(synced.status).toBe('canceled');
    },
  },
  {
    name: 'refund: refunds up to the captured amount, and refuses more with a PayrailError',
    needs: 'refund',
    async run(ctx) {
      const p = await ctx.start();
      const { payment } = await createSucceededOrSkip(p, ctx, 'automatic', 'succeeded');
      const outcome = await p.provider.refundPayment!({
        payment,
        refundId: `re_${payment.id.slice(4)}`,
        amount: payment.amount,
        reason: null,
      });
      expectValidRefundOutcome(outcome);
      expect(outcome.status).not.toBe('failed');
      expectPayrailError(
        await catchError(() =>
          p.provider.refundPayment!({
            payment,
            refundId: 're_01J0000000000000000000000Z',
            amount: 1,
            reason: null,
          }),
        ),
      );
    },
  },
  {
    name: 'webhooks: a missing or wrong signature is PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    needs: 'webhooks',
    async run({ setup, start }) {
      if (!setup.webhooks) throw new Error('the plugin declares webhooks: give setup.webhooks.badSignature');
      const p = await start();
      const input = setup.scenarios.success(p.input());
      const outcome = await p.provider.createPayment(input);
      const requests = await setup.webhooks.badSignature({
        plugin: p.plugin,
        provider: p.provider,
        payment: after(input.payment, outcome.paymentRef),
        outcome,
      });
      expect(requests.length, 'give at least one badly signed request').toBeGreaterThan(0);
      for (const req of requests) {
        expectPayrailError(
          await catchError(() => p.provider.webhooks!.parse(req)),
          'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
        );
      }
    },
  },
  {
    name: 'webhooks: a signed notification parses; the same bytes tampered with are refused',
    needs: 'webhooks',
    async run({ setup, start, skip }) {
      const signed = setup.webhooks?.signed;
      if (!signed) return skip('setup.webhooks.signed is not given');
      const p = await start();
      const input = setup.scenarios.success(p.input());
      const outcome = await p.provider.createPayment(input);
      const payment = after(input.payment, outcome.paymentRef);
      const req = await signed({ plugin: p.plugin, provider: p.provider, payment, outcome });
      const result = await p.provider.webhooks!.parse(req);
      if (result.type === 'payment') {
        expect(result.notification.notificationId.length).toBeGreaterThan(0);
        expect(
          result.notification.paymentId ?? result.notification.paymentRef,
          'names the payment',
        ).toBeTruthy();
        expectValidPaymentOutcome(result.notification.outcome, payment);
        if (result.notification.amount) {
          expect(Number.isSafeInteger(result.notification.amount.amount)).toBe(true);
          expect(isKnownCurrency(result.notification.amount.currency)).toBe(true);
        }
      } else {
        expect(result.type).toBe('ignored');
      }
      // Change one byte of the body: the signature no longer holds.
      const tampered = Buffer.from(req.rawBody);
      const at = tampered.length > 0 ? tampered.length - 1 : 0;
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      expectPayrailError(
        await catchError(() => p.provider.webhooks!.parse({ ...req, rawBody: tampered })),
        'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
      );
    },
  },
  {
    name: 'webhooks: respond answers an accepted and a rejected notification',
    needs: 'webhooks',
    async run({ start }) {
      const p = await start();
      const ok = p.provider.webhooks!.respond({ accepted: true });
      expect(ok.statusCode).toBeGreaterThanOrEqual(200);
      expect(ok.statusCode).toBeLessThan(300);
      expect(ok.body).toBeTypeOf('string');
      const refused = p.provider.webhooks!.respond({
        accepted: false,
        error: { code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE', message: 'bad signature' },
      });
      expect(Number.isInteger(refused.statusCode)).toBe(true);
      expect(refused.body).toBeTypeOf('string');
    },
  },
];

export const PROVIDER_CONTRACT_CASE_NAMES: readonly string[] = PROVIDER_CONTRACT_CASES.map((c) => c.name);
