import { type ErrorCode, PayrailError } from '@payrail/core';

/**
 * Turns a schema validation failure (fastify-type-provider-zod puts zod issues on `error.validation`)
 * into one PayrailError naming the first offending field, so clients get `param: "customer.email"` and
 * a message that says how to fix it — never a zod or ajv dump.
 */

/** The parts of a zod issue that fastify-type-provider-zod keeps (see its createValidationError). */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Schemas attach `params: { payrailCode }` to a refinement to give its failure a specific code. */
export const issueCode = (code: ErrorCode) => ({ params: { payrailCode: code } });

const CONTEXT_LABEL: Record<string, string> = {
  body: 'body field',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

function pathOf(issue: ValidationIssue): string[] {
  const segments = issue.instancePath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (issue.keyword === 'unrecognized_keys') {
    const keys = issue.params?.keys;
    if (Array.isArray(keys) && typeof keys[0] === 'string') segments.push(keys[0]);
  }
  return segments;
}

/** Amount fields get the money codes, whatever object they sit in (`amount` in payments, captures, refunds). */
function codeOf(issue: ValidationIssue, path: string[]): ErrorCode {
  const custom = (issue.params?.params as { payrailCode?: ErrorCode } | undefined)?.payrailCode;
  if (custom) return custom;
  if (path.at(-1) === 'amount') {
    if (issue.keyword === 'too_big') return 'PAYRAIL_ERR_AMOUNT_TOO_LARGE';
    if (issue.keyword === 'too_small') return 'PAYRAIL_ERR_AMOUNT_INVALID';
    if (issue.keyword === 'invalid_type' && issue.params?.expected === 'int')
      return 'PAYRAIL_ERR_AMOUNT_INVALID';
  }
  return 'PAYRAIL_ERR_VALIDATION';
}

export function validationToPayrailError(
  issues: readonly ValidationIssue[],
  context: string | undefined,
): PayrailError {
  const issue = issues[0];
  if (!issue) return new PayrailError('PAYRAIL_ERR_VALIDATION');
  const path = pathOf(issue);
  const param = path.join('.');
  const label = CONTEXT_LABEL[context ?? 'body'] ?? 'field';
  const code = codeOf(issue, path);
  let message: string;
  if (issue.keyword === 'unrecognized_keys') {
    message = `Unknown ${label} "${param}". Remove it; see the API reference for the accepted fields.`;
  } else if (param === '') {
    message =
      context === 'body' || context === undefined
        ? 'The request body must be a JSON object.'
        : `Invalid ${context}: ${issue.message ?? 'invalid'}.`;
  } else if (issue.message?.startsWith(`${path.at(-1)} `) && path.length === 1) {
    // The schema's own message already names the field ("amount must be …").
    message = `${issue.message}.`;
  } else {
    message = `Invalid ${label} "${param}": ${issue.message ?? 'invalid value'}.`;
  }
  // Every offending field at once (first problem of each), so a client can fix them in one round trip.
  const byParam = new Map<string, { param: string; message: string }>();
  for (const i of issues) {
    const p = pathOf(i).join('.');
    if (!byParam.has(p)) byParam.set(p, { param: p, message: i.message ?? '' });
  }
  const others = [...byParam.values()];
  return new PayrailError(code, {
    param: param === '' ? undefined : param,
    message: message.replace(/\.\.$/, '.'),
    ...(others.length > 1 ? { details: { errors: others.slice(0, 10) } } : {}),
  });
}
