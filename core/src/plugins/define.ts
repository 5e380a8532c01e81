import type { ZodType, z } from 'zod';
import type {
  AntifraudEngine,
  AntifraudPlugin,
  AntifraudStage,
  NotificationCapability,
  NotificationChannel,
  NotificationPlugin,
  PaymentProvider,
  PluginContext,
  PluginManifest,
  ProviderCapability,
  ProviderPlugin,
  ShopBridge,
  ShopBridgeCapability,
  ShopBridgePlugin,
} from './types';

/** What a plugin author writes once; `define*` turns it into a factory of plugin values. */
interface Definition<Schema extends ZodType, Capability extends string, Impl> {
  manifest: PluginManifest;
  optionsSchema: Schema;
  capabilities: readonly Capability[];
  /** Default instance id when the user gives none (usually "default"). */
  defaultInstanceId?: string;
  init(ctx: PluginContext<z.output<Schema>>): Impl | Promise<Impl>;
}

/** Options every plugin factory takes besides its own. */
export interface InstanceOptions {
  /** Tells two instances of one plugin apart (two QIWI sites). Lowercase letters, digits, `-` and `_`. */
  instanceId?: string;
}

/**
 * What a plugin factory accepts: its own options plus `instanceId`. zod types an empty object schema's
 * input as `Record<string, never>`, which would forbid `instanceId`, so that case takes only the latter.
 */
export type FactoryOptions<Schema extends ZodType> =
  z.input<Schema> extends Record<string, never> ? InstanceOptions : z.input<Schema> & InstanceOptions;

function instanceIdOf(options: unknown, fallback: string): string {
  if (options && typeof options === 'object' && 'instanceId' in options) {
    const id = (options as { instanceId?: unknown }).instanceId;
    if (typeof id === 'string') return id;
  }
  return fallback;
}

export function defineProvider<Schema extends ZodType>(
  def: Definition<Schema, ProviderCapability, PaymentProvider> & {
    paymentMethods: readonly string[];
    currencies: readonly string[] | 'any';
    confirmation: ProviderPlugin['confirmation'];
  },
): (options: FactoryOptions<Schema>) => ProviderPlugin {
  return (options) => ({
    kind: 'provider',
    manifest: def.manifest,
    instanceId: instanceIdOf(options, def.defaultInstanceId ?? 'default'),
    capabilities: def.capabilities,
    options,
    optionsSchema: def.optionsSchema,
    paymentMethods: def.paymentMethods,
    currencies: def.currencies,
    confirmation: def.confirmation,
    init: (ctx) => def.init(ctx as PluginContext<z.output<Schema>>),
  });
}

export function defineAntifraud<Schema extends ZodType>(
  def: Definition<Schema, AntifraudStage, AntifraudEngine>,
): (options: FactoryOptions<Schema>) => AntifraudPlugin {
  return (options) => ({
    kind: 'antifraud',
    manifest: def.manifest,
    instanceId: instanceIdOf(options, def.defaultInstanceId ?? 'default'),
    capabilities: def.capabilities,
    options,
    optionsSchema: def.optionsSchema,
    init: (ctx) => def.init(ctx as PluginContext<z.output<Schema>>),
  });
}

export function defineNotificationChannel<Schema extends ZodType>(
  def: Definition<Schema, NotificationCapability, NotificationChannel>,
): (options: FactoryOptions<Schema>) => NotificationPlugin {
  return (options) => ({
    kind: 'notification',
    manifest: def.manifest,
    instanceId: instanceIdOf(options, def.defaultInstanceId ?? 'default'),
    capabilities: def.capabilities,
    options,
    optionsSchema: def.optionsSchema,
    init: (ctx) => def.init(ctx as PluginContext<z.output<Schema>>),
  });
}

export function defineShopBridge<Schema extends ZodType>(
  def: Definition<Schema, ShopBridgeCapability, ShopBridge>,
): (options: FactoryOptions<Schema>) => ShopBridgePlugin {
  return (options) => ({
    kind: 'shop_bridge',
    manifest: def.manifest,
    instanceId: instanceIdOf(options, def.defaultInstanceId ?? 'default'),
    capabilities: def.capabilities,
    options,
    optionsSchema: def.optionsSchema,
    init: (ctx) => def.init(ctx as PluginContext<z.output<Schema>>),
  });
}
