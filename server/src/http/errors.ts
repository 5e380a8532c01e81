import { type ErrorCategory, type ErrorCode, isPayrailError, newId, PayrailError } from '@payrail/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { refuseNulInUrl } from './json-body';
import { validationToPayrailError } from './validation';

/**
 * The one place that maps errors to HTTP. Core and plugins throw PayrailErrors with a category; this
 * maps category → status and renders `{ "error": { code, message, param?, details?, request_id } }`.
 * Framework errors (body parsing, validation, unknown routes) are translated here too, so every
 * response body has the same shape and nothing a client sends can produce a 500.
 */

export const CATEGORY_STATUS: Record<ErrorCategory, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  provider: 502,
  configuration: 500,
  internal: 500,
};

/** Codes whose HTTP status is more specific than their category's. */
const CODE_STATUS: Partial<Record<ErrorCode, number>> = {
  PAYRAIL_ERR_BODY_TOO_LARGE: 413,
  PAYRAIL_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  PAYRAIL_ERR_STORE_UNAVAILABLE: 503,
};

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    param?: string;
    details?: Record<string, unknown>;
    request_id: string;
  };
}

export function statusOf(error: PayrailError): number {
  return CODE_STATUS[error.code] ?? CATEGORY_STATUS[error.category];
}

export function errorBody(error: PayrailError, requestId: string): ErrorBody {
  const status = statusOf(error);
  // Messages of server-side failures may hold internals (SQL, hostnames): the client gets the
  // catalogue's generic text; the full error is in the log under the same request id.
  const exposeMessage = status < 500 || error.category === 'provider' || status === 503;
  return {
    error: {
      code: error.code,
      message: exposeMessage ? error.message : new PayrailError(error.code).message,
      ...(error.param !== undefined ? { param: error.param } : {}),
      ...(error.details !== undefined && exposeMessage ? { details: error.details } : {}),
      request_id: requestId,
    },
  };
}

/** Fastify's own errors (FST_ERR_*) and anything else thrown, as a PayrailError. */
export function toPayrailError(error: unknown): PayrailError {
  if (isPayrailError(error)) return error;
  const err = error as Partial<FastifyError> & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(error)) {
    return validationToPayrailError(error.validation, err.validationContext);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayrailError('PAYRAIL_ERR_BODY_TOO_LARGE', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PayrailError('PAYRAIL_ERR_UNSUPPORTED_MEDIA_TYPE', { cause: error });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PayrailError('PAYRAIL_ERR_MALFORMED_JSON', { cause: error });
  }
  if (Array.isArray(err.validation)) {
    // A JSON-schema (ajv) validation error, e.g. from a route without a zod schema.
    return new PayrailError('PAYRAIL_ERR_VALIDATION', { message: err.message, cause: error });
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 404) return new PayrailError('PAYRAIL_ERR_UNKNOWN_ROUTE', { cause: error });
  if (status >= 400 && status < 500) {
    // Other client errors Fastify detects (bad content-length, bad URL encoding…): its messages
    // describe the request, not the server, so they are safe to pass on.
    return new PayrailError('PAYRAIL_ERR_VALIDATION', {
      message: err.message || 'The request is malformed.',
      cause: error,
    });
  }
  return new PayrailError('PAYRAIL_ERR_INTERNAL', { cause: error });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: PayrailError) {
  const status = statusOf(error);
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="payrail"');
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(error, request.id));
}

/** The router's limit on one path parameter (the longest any route's schema allows is 255). */
export const MAX_PATH_PARAM_LENGTH = 256;

/**
 * Fastify's `frameworkErrors` option: errors the router finds before any route or hook runs (a path
 * parameter longer than MAX_PATH_PARAM_LENGTH, bad percent-encoding). Without it Fastify answers with
 * its own body (`{"error":"Bad Request","code":"FST_ERR_…"}`, a 414 for the long parameter).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('request-id', request.id);
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `A path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters.`
      : 'The URL is malformed (bad percent-encoding).';
  request.log.info({ code: error.code }, 'request rejected');
  return sendError(request, reply, new PayrailError('PAYRAIL_ERR_VALIDATION', { message, cause: error }));
}

async function errorHandlerPlugin(app: FastifyInstance) {
  app.decorateRequest('merchantScope', null);
  app.decorateRequest('idempotency', null);

  // Every response carries its request id, also the ones that end in an error or a 404.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    refuseNulInUrl(request.url);
  });

  app.setErrorHandler((error, request, reply) => {
    const payrailError = toPayrailError(error);
    const status = statusOf(payrailError);
    if (status >= 500) {
      request.log.error({ err: error, code: payrailError.code }, 'request failed');
    } else {
      request.log.info({ code: payrailError.code, param: payrailError.param }, 'request rejected');
    }
    return sendError(request, reply, payrailError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new PayrailError('PAYRAIL_ERR_UNKNOWN_ROUTE', {
        message: `No endpoint ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}. See /docs for the API reference.`,
      }),
    ),
  );
}

export const errorHandling = fp(errorHandlerPlugin, { name: 'payrail-errors', fastify: '5.x' });

export const requestId = (): string => newId('request');
