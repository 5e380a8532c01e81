import {
  type CreatePaymentInput,
  createPluginRegistry,
  createUndiciHttpClient,
  type HttpClient,
  newId,
  type PaymentOutcome,
  type PaymentProvider,
  type ProviderPaymentView,
  type ProviderPlugin,
  type RegistryEnvironment,
  silentLogger,
  systemClock,
  type WebhookRequest,
} from '@payrail/core';

/** Turns the contract's base input into the input of one scenario (add a card, set a trigger…). */
export type ScenarioInput = (input: CreatePaymentInput) => CreatePaymentInput;

export interface ProviderContractSetup {
  /**
   * A new plugin value with valid options. Called once per case, so a provider that keeps state per
   * plugin value (simulators, fakes) starts every case clean.
   */
  plugin(): ProviderPlugin;
  /** Options the schema must reject, on top of the generic garbage (undefined, null, 42, "x", []). */
  invalidOptions?: unknown[];
  /**
   * Overrides of the environment the plugin is initialised with: an HttpClient pointed at an msw
   * loopback server, a ManualClock… Called once per case. Default: silent logger, system clock, a fresh
   * undici client (closed after the case), publicUrl https://payrail.test.
   */
  environment?(): Partial<RegistryEnvironment>;
  /** The payment the cases start from (default 1000 minor units of the first listed currency, or USD). */
  amount?: number;
  currency?: string;
  scenarios: {
    /** Input for which createPayment succeeds (any non-declined outcome). */
    success: ScenarioInput;
    /** Input for which createPayment returns a decline. */
    decline: ScenarioInput;
    /** Input for which createPayment fails (throws); the error must be a PayrailError. */
    failure?: ScenarioInput;
  };
  /** Required when the plugin declares the `webhooks` capability. */
  webhooks?: {
    /** Requests whose signature is missing or wrong; each must be refused with PAYRAIL_ERR_WEBHOOK_SIGNATURE. */
    badSignature(ctx: WebhookCaseContext): WebhookRequest[] | Promise<WebhookRequest[]>;
    /** A correctly signed notification about the payment (optional; enables the tampering case). */
    signed?(ctx: WebhookCaseContext): WebhookRequest | Promise<WebhookRequest>;
  };
  /** Case name → reason. The case is reported as skipped with the reason, never silently dropped. */
  skip?: Record<string, string>;
  beforeAll?(): Promise<void> | void;
  afterAll?(): Promise<void> | void;
}

export interface WebhookCaseContext {
  plugin: ProviderPlugin;
  provider: PaymentProvider;
  /** A payment created with the success scenario, and what createPayment answered. */
  payment: ProviderPaymentView;
  outcome: PaymentOutcome;
}

/** One initialised provider for one case. */
export interface ProviderUnderTest {
  plugin: ProviderPlugin;
  provider: PaymentProvider;
  /** A base input for a new payment (fresh ids each call). */
  input(overrides?: Partial<ProviderPaymentView>): CreatePaymentInput;
  close(): Promise<void>;
}

export async function startProvider(setup: ProviderContractSetup): Promise<ProviderUnderTest> {
  const plugin = setup.plugin();
  const overrides = setup.environment?.() ?? {};
  const ownHttp: HttpClient | undefined = overrides.http
    ? undefined
    : createUndiciHttpClient({ timeoutMs: 5_000 });
  const env: RegistryEnvironment = {
    logger: overrides.logger ?? silentLogger,
    clock: overrides.clock ?? systemClock,
    http: overrides.http ?? ownHttp!,
    publicUrl: overrides.publicUrl ?? 'https://payrail.test',
    ...(overrides.coreVersion ? { coreVersion: overrides.coreVersion } : {}),
  };
  const registry = await createPluginRegistry([plugin], env);
  const registered = registry.provider(plugin.manifest.id, plugin.instanceId);
  if (!registered)
    throw new Error(`the registry did not register ${plugin.manifest.id}:${plugin.instanceId}`);

  const currency = setup.currency ?? (plugin.currencies === 'any' ? 'USD' : (plugin.currencies[0] ?? 'USD'));
  const amount = setup.amount ?? 1_000;
  return {
    plugin,
    provider: registered.provider,
    input(paymentOverrides = {}) {
      const id = newId('payment');
      const payment: ProviderPaymentView = {
        id,
        merchantId: 'mer_01J00000000000000000000000',
        mode: 'test',
        amount,
        currency,
        captureMethod: 'automatic',
        orderId: `order-${id.slice(-8)}`,
        description: null,
        customer: { email: 'buyer@example.com' },
        returnUrl: 'https://shop.example/return',
        metadata: {},
        paymentRef: null,
        ...paymentOverrides,
      };
      return { payment, returnUrl: `${env.publicUrl}/pay/${id}/return` };
    },
    close: async () => {
      await ownHttp?.close();
    },
  };
}
