import { PayrailError } from '../errors';
import type { PluginRegistry, RegisteredProvider } from '../plugins/registry';
import type { Merchant } from '../ports/store';

const supports = (r: RegisteredProvider, method: string, currency: string): boolean =>
  r.plugin.paymentMethods.includes(method) &&
  (r.plugin.currencies === 'any' || r.plugin.currencies.includes(currency));

/**
 * Picks the provider instance for a payment: the merchant's configured route for the method when there
 * is one, otherwise the first registered instance that serves the method and currency.
 */
export function routePayment(
  registry: PluginRegistry,
  merchant: Pick<Merchant, 'providerRoutes'>,
  method: string,
  currency: string,
): RegisteredProvider {
  const route = merchant.providerRoutes[method];
  if (route) {
    const [pluginId = '', instanceId = 'default'] = route.split(':');
    const chosen = registry.provider(pluginId, instanceId);
    if (chosen && supports(chosen, method, currency)) return chosen;
    throw new PayrailError('PAYRAIL_ERR_METHOD_UNAVAILABLE', {
      param: chosen ? 'currency' : 'method',
      message: chosen
        ? `The provider configured for "${method}" (${route}) does not accept ${currency}.`
        : `The merchant routes "${method}" to ${route}, which is not registered on this server.`,
    });
  }
  const found = registry.providers.find((r) => supports(r, method, currency));
  if (found) return found;
  const methodKnown = registry.providers.some((r) => r.plugin.paymentMethods.includes(method));
  const methods = [...new Set(registry.providers.flatMap((r) => r.plugin.paymentMethods))].join(', ');
  throw new PayrailError('PAYRAIL_ERR_METHOD_UNAVAILABLE', {
    param: methodKnown ? 'currency' : 'method',
    message: methodKnown
      ? `No provider accepts "${method}" payments in ${currency}.`
      : `Payment method "${method}" is not available; available methods: ${methods || 'none'}.`,
  });
}
