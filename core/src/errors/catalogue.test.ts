import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type ErrorCategory, type ErrorCode } from './catalogue';
import { BUYER_DECLINE_MESSAGE, DECLINE_CODES } from './decline-codes';
import { isPayrailError, isPayrailErrorCode, PayrailError } from './payrail-error';

/** The HTTP status the server answers for each category (docs/errors.md states the same table). */
const HTTP_STATUS: Record<ErrorCategory, number> = {
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

const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const DOC = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');

/** `## CODE` sections of docs/errors.md, by code. */
function docSections(): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = DOC.split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading = '', ...rest] = part.split('\n');
    if (heading.startsWith('PAYRAIL_ERR_')) sections.set(heading.trim(), rest.join('\n'));
  }
  return sections;
}

/** The cells of every markdown table row in `text` (padding-insensitive: the formatter aligns columns). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('|') && !/^\|[\s|:-]+\|$/.test(line.trim()))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('error catalogue', () => {
  it.each(CODES)('%s is well-formed', (code) => {
    const entry = ERROR_CATALOGUE[code];
    expect(code).toMatch(/^PAYRAIL_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
    expect(entry.message.trim().length).toBeGreaterThan(10);
    expect(entry.message).toMatch(/[.!?]$/);
    expect(Object.keys(HTTP_STATUS)).toContain(entry.category);
    expect(typeof entry.retryable).toBe('boolean');
  });

  it('has unique messages, so a message alone never makes two codes look alike', () => {
    const messages = CODES.map((c) => ERROR_CATALOGUE[c].message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('classifies the provider failures as the orchestrator relies on', () => {
    expect(ERROR_CATALOGUE.PAYRAIL_ERR_PROVIDER_UNAVAILABLE).toMatchObject({
      category: 'provider',
      retryable: true,
    });
    expect(ERROR_CATALOGUE.PAYRAIL_ERR_PROVIDER_TIMEOUT).toMatchObject({
      category: 'provider',
      retryable: true,
    });
    expect(ERROR_CATALOGUE.PAYRAIL_ERR_PROVIDER_REJECTED).toMatchObject({
      category: 'provider',
      retryable: false,
    });
    expect(ERROR_CATALOGUE.PAYRAIL_ERR_WEBHOOK_SIGNATURE.category).toBe('authentication');
    expect(ERROR_CATALOGUE.PAYRAIL_ERR_PAYMENT_METHOD_INVALID.category).toBe('invalid_request');
  });
});

describe('docs/errors.md', () => {
  const sections = docSections();

  it('has one section per code and none for codes that do not exist', () => {
    expect([...sections.keys()].sort()).toEqual([...CODES].sort());
    const headings = DOC.match(/^## PAYRAIL_ERR_\w+$/gm) ?? [];
    expect(headings.length).toBe(CODES.length);
  });

  it.each(CODES)('%s: the section states category, HTTP status, retryability, meaning and fix', (code) => {
    const body = sections.get(code);
    expect(body, `docs/errors.md has no "## ${code}" section`).toBeDefined();
    const entry = ERROR_CATALOGUE[code];
    const rows = tableRows(body ?? '');
    expect(rows).toContainEqual([
      `\`${entry.category}\``,
      String(HTTP_STATUS[entry.category]),
      entry.retryable ? 'yes' : 'no',
    ]);
    expect(body).toContain(`Default message: ${entry.message}`);
    expect(body).toMatch(/\*\*What it means\.\*\* \S/);
    expect(body).toMatch(/\*\*How to fix\.\*\* \S/);
  });

  it('states the same category → HTTP status table as the server uses', () => {
    const rows = tableRows(DOC.slice(0, DOC.indexOf('## PAYRAIL_ERR_')));
    for (const [category, status] of Object.entries(HTTP_STATUS)) {
      expect(rows.some((cells) => cells[0] === `\`${category}\`` && cells[1] === String(status))).toBe(true);
    }
  });
});

describe('PayrailError', () => {
  it('takes category, retryability and message from the catalogue', () => {
    const err = new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', { outcomeUnknown: true });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PayrailError');
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.category).toBe('provider');
    expect(err.retryable).toBe(true);
    expect(err.outcomeUnknown).toBe(true);
    expect(err.message).toBe(ERROR_CATALOGUE.PAYRAIL_ERR_PROVIDER_TIMEOUT.message);
    expect(err.param).toBeUndefined();
  });

  it('accepts a specific message, param, details, retryability override and cause', () => {
    const cause = new Error('ECONNRESET');
    const err = new PayrailError('PAYRAIL_ERR_VALIDATION', {
      message: 'email is not an address',
      param: 'customer.email',
      details: { max: 3 },
      retryable: true,
      cause,
    });
    expect(err.message).toBe('email is not an address');
    expect(err.param).toBe('customer.email');
    expect(err.details).toEqual({ max: 3 });
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.outcomeUnknown).toBe(false);
  });

  it('is recognised by the guards', () => {
    const err = new PayrailError('PAYRAIL_ERR_NOT_FOUND');
    expect(isPayrailError(err)).toBe(true);
    expect(isPayrailError(new Error('x'))).toBe(false);
    expect(isPayrailError({ code: 'PAYRAIL_ERR_NOT_FOUND' })).toBe(false);
    expect(isPayrailErrorCode(err, 'PAYRAIL_ERR_NOT_FOUND')).toBe(true);
    expect(isPayrailErrorCode(err, 'PAYRAIL_ERR_INTERNAL')).toBe(false);
  });
});

describe('decline codes', () => {
  it('are unique snake_case and include the card and antifraud codes providers map to', () => {
    expect(new Set(DECLINE_CODES).size).toBe(DECLINE_CODES.length);
    for (const code of DECLINE_CODES) expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
    for (const code of [
      'card_declined',
      'insufficient_funds',
      'fraud_suspected',
      'processing_error',
      'unknown',
    ]) {
      expect(DECLINE_CODES).toContain(code);
    }
  });

  it('give the buyer a neutral message', () => {
    expect(BUYER_DECLINE_MESSAGE).not.toMatch(/fraud|stolen|lost|insufficient/i);
  });
});
