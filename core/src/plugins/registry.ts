import semver from 'semver';
import { PayrailError } from '../errors';
import type { Clock } from '../ports/clock';
import type { HttpClient } from '../ports/http-client';
import type { Logger } from '../ports/logger';
import { CORE_VERSION } from '../version';
import {
  type AntifraudEngine,
  type AntifraudPlugin,
  type AnyPlugin,
  type NotificationChannel,
  type NotificationPlugin,
  type PaymentProvider,
  type PluginContext,
  PROVIDER_CAPABILITY_METHODS,
  type ProviderPlugin,
  SHOP_BRIDGE_CAPABILITY_METHODS,
  type ShopBridge,
  type ShopBridgePlugin,
} from './types';

export interface RegisteredProvider {
  plugin: ProviderPlugin;
  provider: PaymentProvider;
}
export interface RegisteredAntifraud {
  plugin: AntifraudPlugin;
  engine: AntifraudEngine;
}
export interface RegisteredNotificationChannel {
  plugin: NotificationPlugin;
  channel: NotificationChannel;
}
export interface RegisteredShopBridge {
  plugin: ShopBridgePlugin;
  bridge: ShopBridge;
}

export interface PluginRegistry {
  readonly providers: readonly RegisteredProvider[];
  readonly antifraud: readonly RegisteredAntifraud[];
  readonly notificationChannels: readonly RegisteredNotificationChannel[];
  readonly shopBridges: readonly RegisteredShopBridge[];
  /** The provider instance `pluginId:instanceId`, or undefined. */
  provider(pluginId: string, instanceId: string): RegisteredProvider | undefined;
}

export interface RegistryEnvironment {
  logger: Logger;
  clock: Clock;
  http: HttpClient;
  publicUrl: string;
  /** Defaults to this package's version; tests pass others to check `coreRange`. */
  coreVersion?: string;
}

const INSTANCE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const PLUGIN_ID = /^[a-z][a-z0-9_-]{0,62}$/;

const label = (p: AnyPlugin): string => `${p.manifest?.id ?? '?'}:${p.instanceId ?? '?'}`;

function invalid(p: AnyPlugin, message: string): PayrailError {
  return new PayrailError('PAYRAIL_ERR_PLUGIN_INVALID', { message: `Plugin ${label(p)}: ${message}` });
}

/** Checks the plugin value itself: kind, manifest, ids, and that it supports this core version. */
function checkShape(p: AnyPlugin, coreVersion: string): void {
  if (!p || typeof p !== 'object' || typeof p.init !== 'function') {
    throw new PayrailError('PAYRAIL_ERR_PLUGIN_INVALID', {
      message:
        'A plugin value must be what a plugin factory returns (an object with kind, manifest and init).',
    });
  }
  if (!['provider', 'antifraud', 'notification', 'shop_bridge'].includes(p.kind)) {
    throw invalid(
      p,
      `unknown kind "${String(p.kind)}"; use provider, antifraud, notification or shop_bridge.`,
    );
  }
  if (!p.manifest || !PLUGIN_ID.test(p.manifest.id)) {
    throw invalid(p, 'manifest.id must be lowercase letters, digits, "-" or "_", starting with a letter.');
  }
  if (!INSTANCE_ID.test(p.instanceId)) {
    throw invalid(
      p,
      `instanceId "${p.instanceId}" must be lowercase letters, digits, "-" or "_" (at most 63).`,
    );
  }
  if (!semver.validRange(p.manifest.coreRange)) {
    throw invalid(p, `manifest.coreRange "${p.manifest.coreRange}" is not a semver range.`);
  }
  if (!semver.satisfies(coreVersion, p.manifest.coreRange, { includePrerelease: true })) {
    throw new PayrailError('PAYRAIL_ERR_PLUGIN_CORE_RANGE', {
      message: `Plugin ${label(p)} supports @payrail/core ${p.manifest.coreRange}, but this is ${coreVersion}. Upgrade the plugin or core.`,
    });
  }
}

function parseOptions(p: AnyPlugin): unknown {
  const parsed = p.optionsSchema.safeParse(p.options ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    throw new PayrailError('PAYRAIL_ERR_PLUGIN_OPTIONS', {
      message: `Plugin ${label(p)} was given invalid options: ${issues}`,
    });
  }
  return parsed.data;
}

/** Declared capabilities must match the implemented optional methods, both ways. */
function checkCapabilities(p: AnyPlugin, impl: object, methods: Record<string, string>): void {
  const declared = new Set<string>(p.capabilities);
  const unknown = [...declared].filter((capability) => !(capability in methods));
  if (unknown.length > 0) {
    throw new PayrailError('PAYRAIL_ERR_PLUGIN_CAPABILITIES', {
      message: `Plugin ${label(p)} declares unknown capabilities: ${unknown.join(', ')}. Known: ${Object.keys(methods).join(', ')}.`,
    });
  }
  for (const [capability, method] of Object.entries(methods)) {
    const implemented = (impl as Record<string, unknown>)[method] !== undefined;
    if (declared.has(capability) && !implemented) {
      throw new PayrailError('PAYRAIL_ERR_PLUGIN_CAPABILITIES', {
        message: `Plugin ${label(p)} declares "${capability}" but does not implement ${method}.`,
      });
    }
    if (!declared.has(capability) && implemented) {
      throw new PayrailError('PAYRAIL_ERR_PLUGIN_CAPABILITIES', {
        message: `Plugin ${label(p)} implements ${method} but does not declare the "${capability}" capability.`,
      });
    }
  }
}

function requireMethods(p: AnyPlugin, impl: object, names: string[]): void {
  for (const name of names) {
    if (typeof (impl as Record<string, unknown>)[name] !== 'function') {
      throw invalid(p, `init() must return an object with a ${name}() method.`);
    }
  }
}

/**
 * Validates every plugin at boot (shape, core range, unique `(id, instanceId)`, options, capabilities)
 * and initialises them. Any problem stops the boot with a message that names the plugin and the fix.
 */
export async function createPluginRegistry(
  plugins: readonly AnyPlugin[],
  env: RegistryEnvironment,
): Promise<PluginRegistry> {
  const coreVersion = env.coreVersion ?? CORE_VERSION;
  const seen = new Set<string>();
  for (const p of plugins) {
    checkShape(p, coreVersion);
    const key = `${p.kind}/${label(p)}`;
    if (seen.has(key)) {
      throw new PayrailError('PAYRAIL_ERR_PLUGIN_DUPLICATE', {
        message: `Two ${p.kind} plugins are registered as ${label(p)}; give one of them another instanceId.`,
      });
    }
    seen.add(key);
  }

  const providers: RegisteredProvider[] = [];
  const antifraud: RegisteredAntifraud[] = [];
  const notificationChannels: RegisteredNotificationChannel[] = [];
  const shopBridges: RegisteredShopBridge[] = [];

  for (const p of plugins) {
    const options = parseOptions(p);
    const ctx: PluginContext<unknown> = {
      instanceId: p.instanceId,
      options,
      logger: env.logger.child({ plugin: p.manifest.id, instance: p.instanceId }),
      clock: env.clock,
      http: env.http,
      publicUrl: env.publicUrl,
      webhookUrl: `${env.publicUrl.replace(/\/$/, '')}/hooks/${p.manifest.id}/${p.instanceId}`,
    };
    switch (p.kind) {
      case 'provider': {
        const provider = await p.init(ctx);
        requireMethods(p, provider, ['createPayment', 'syncPayment']);
        checkCapabilities(p, provider, PROVIDER_CAPABILITY_METHODS);
        if (p.paymentMethods.length === 0) throw invalid(p, 'paymentMethods must list at least one method.');
        providers.push({ plugin: p, provider });
        break;
      }
      case 'antifraud': {
        const engine = await p.init(ctx);
        requireMethods(p, engine, ['assess']);
        antifraud.push({ plugin: p, engine });
        break;
      }
      case 'notification': {
        const channel = await p.init(ctx);
        requireMethods(p, channel, ['send']);
        notificationChannels.push({ plugin: p, channel });
        break;
      }
      case 'shop_bridge': {
        const bridge = await p.init(ctx);
        requireMethods(p, bridge, ['onPaymentEvent']);
        checkCapabilities(p, bridge, SHOP_BRIDGE_CAPABILITY_METHODS);
        shopBridges.push({ plugin: p, bridge });
        break;
      }
    }
  }

  const byKey = new Map(providers.map((r) => [`${r.plugin.manifest.id}:${r.plugin.instanceId}`, r]));
  return {
    providers,
    antifraud,
    notificationChannels,
    shopBridges,
    provider: (pluginId, instanceId) => byKey.get(`${pluginId}:${instanceId}`),
  };
}
