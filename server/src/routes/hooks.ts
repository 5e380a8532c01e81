import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const PARAM = z.string().min(1).max(63);

const flatten = (values: Record<string, string | string[] | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));

/**
 * Provider notifications, in their own context: the body is kept as the exact bytes received (any
 * content type — JSON, form-urlencoded, XML), because signatures are computed over it. The plugin
 * verifies and parses; core deduplicates and applies; the provider gets whatever answer its protocol
 * expects, exactly as the plugin shaped it.
 */
export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/hooks/:plugin/:instance',
    {
      schema: {
        tags: ['provider notifications'],
        summary: 'Receive a payment provider’s notification',
        description:
          'Called by payment providers, not by merchants. The body is passed to the plugin verbatim.',
        params: z.strictObject({ plugin: PARAM, instance: PARAM }),
      },
    },
    async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { response, result, error } = await app.services.orchestrator.handleWebhook({
        pluginId: request.params.plugin,
        instanceId: request.params.instance,
        request: {
          headers: flatten(request.headers),
          rawBody,
          query: flatten(request.query as Record<string, string | string[] | undefined>),
        },
      });
      request.log.info(
        { plugin: request.params.plugin, instance: request.params.instance, result, code: error?.code },
        'provider notification',
      );
      reply.code(response.statusCode);
      if (response.headers) reply.headers(response.headers);
      return reply.send(response.body);
    },
  );
};
