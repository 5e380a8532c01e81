import { type AntifraudStage, defineAntifraud } from '@payrail/core';
import { createRulesEngine } from './engine';
import { type AntifraudOptions, antifraudOptionsSchema } from './options';

const manifest = { id: 'antifraud', name: 'Rules antifraud', version: '0.1.0', coreRange: '^0.1.0' };

const definition = defineAntifraud({
  manifest,
  optionsSchema: antifraudOptionsSchema,
  capabilities: ['pre_authorization'],
  init(ctx) {
    const engine = createRulesEngine(ctx.options, { clock: ctx.clock });
    const o = ctx.options;
    ctx.logger.info(
      {
        stages: o.stages,
        rules: o.rules.filter((r) => r.enabled).length,
        velocityLimits: o.velocity.limits.length,
        velocitySource: engine.velocity?.constructor.name ?? null,
      },
      'antifraud: rules compiled',
    );
    return engine;
  },
});

const STAGES: readonly AntifraudStage[] = ['pre_authorization', 'pre_refund'];

/**
 * The rules antifraud plugin. `stages` become the plugin's capabilities, so core runs it only there
 * (default: before authorization). Options are validated by the registry at boot.
 */
export function antifraud(options: AntifraudOptions = {}) {
  const plugin = definition(options);
  const requested = Array.isArray(options.stages) ? options.stages : ['pre_authorization'];
  // Unknown stages are left out here; the registry's options check reports them by path.
  const capabilities = STAGES.filter((s) => requested.includes(s));
  return { ...plugin, capabilities: capabilities.length > 0 ? capabilities : plugin.capabilities };
}
