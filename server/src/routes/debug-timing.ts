import type { OrchestratorSelfTime } from '@payrail/core';
import type { FastifyPluginAsync } from 'fastify';

/**
 * `GET /_debug/orchestrator-timing`: the orchestrator's own time per call (p50/p99 per method) since the
 * start or the last `?reset=1`. Mounted only with PAYRAIL_ORCHESTRATOR_TIMING=1 (the bench sets it);
 * it shows timings only, no data.
 */
export const debugTimingRoutes: FastifyPluginAsync<{ timing: OrchestratorSelfTime }> = async (
  app,
  { timing },
) => {
  app.get('/_debug/orchestrator-timing', { schema: { hide: true } }, async (request) => {
    const summary = timing.summary();
    if ((request.query as { reset?: string }).reset === '1') timing.reset();
    return { object: 'orchestrator_timing', methods: summary };
  });
};
