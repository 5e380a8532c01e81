/**
 * The one catalogue of Payrail error codes. Codes are stable API: never rename one, only add.
 * Each entry says what went wrong in general, its category (which the server maps to an HTTP
 * status) and whether retrying the same call can succeed. `docs/errors.md` documents every code.
 */
export type ErrorCategory =
  | 'invalid_request' // 400: the input is wrong; fix it
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404
  | 'conflict' // 409: the object is busy or in a state that forbids the call right now
  | 'unprocessable' // 422: well-formed, but the operation cannot be applied
  | 'rate_limited' // 429
  | 'provider' // 502: the payment provider failed
  | 'configuration' // 500-class: the deployment is misconfigured
  | 'internal'; // 500

interface CatalogueEntry {
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly message: string;
}

const entry = (category: ErrorCategory, retryable: boolean, message: string): CatalogueEntry => ({
  category,
  retryable,
  message,
});

export const ERROR_CATALOGUE = {
  // request shape
  PAYRAIL_ERR_VALIDATION: entry(
    'invalid_request',
    false,
    'A field is missing or has the wrong type or value.',
  ),
  PAYRAIL_ERR_MALFORMED_JSON: entry('invalid_request', false, 'The request body is not valid JSON.'),
  PAYRAIL_ERR_BODY_TOO_LARGE: entry('invalid_request', false, 'The request body is larger than the limit.'),
  PAYRAIL_ERR_UNSUPPORTED_MEDIA_TYPE: entry('invalid_request', false, 'Send the body as application/json.'),
  PAYRAIL_ERR_UNKNOWN_ROUTE: entry('not_found', false, 'No such endpoint.'),
  // money
  PAYRAIL_ERR_CURRENCY_UNKNOWN: entry(
    'invalid_request',
    false,
    'The currency is not an active ISO 4217 code.',
  ),
  PAYRAIL_ERR_AMOUNT_INVALID: entry(
    'invalid_request',
    false,
    'The amount must be a positive integer in minor units.',
  ),
  PAYRAIL_ERR_AMOUNT_PRECISION: entry(
    'invalid_request',
    false,
    'The amount has more decimal places than the currency allows.',
  ),
  PAYRAIL_ERR_AMOUNT_TOO_LARGE: entry(
    'invalid_request',
    false,
    'The amount exceeds the largest supported value.',
  ),
  PAYRAIL_ERR_CURRENCY_MISMATCH: entry('unprocessable', false, 'The currencies of the two amounts differ.'),
  // auth
  PAYRAIL_ERR_AUTH_MISSING: entry(
    'authentication',
    false,
    'Send an API key as "Authorization: Bearer sk_…".',
  ),
  PAYRAIL_ERR_AUTH_INVALID: entry('authentication', false, 'The API key is unknown or revoked.'),
  // objects
  PAYRAIL_ERR_NOT_FOUND: entry('not_found', false, 'No such object.'),
  PAYRAIL_ERR_MERCHANT_NOT_FOUND: entry('not_found', false, 'No such merchant.'),
  PAYRAIL_ERR_SHOP_NOT_FOUND: entry(
    'not_found',
    false,
    'No shop with this id belongs to your merchant; list yours with GET /v1/shops.',
  ),
  PAYRAIL_ERR_SHOP_ARCHIVED: entry(
    'conflict',
    false,
    'The shop is archived: it takes no new payments or changes; create a new shop instead.',
  ),
  PAYRAIL_ERR_SHOP_METHOD_NOT_ENABLED: entry(
    'unprocessable',
    false,
    "The payment method is not enabled in this shop; add it to the shop's methods or use another method.",
  ),
  // state
  PAYRAIL_ERR_INVALID_STATE_TRANSITION: entry(
    'unprocessable',
    false,
    'The payment is not in a state that allows this.',
  ),
  PAYRAIL_ERR_CAPTURE_AMOUNT: entry(
    'unprocessable',
    false,
    'The capture amount exceeds the authorized amount.',
  ),
  PAYRAIL_ERR_REFUND_AMOUNT: entry('unprocessable', false, 'The refund would exceed the captured amount.'),
  PAYRAIL_ERR_VERSION_CONFLICT: entry('conflict', true, 'The object was changed concurrently; retry.'),
  PAYRAIL_ERR_METHOD_UNAVAILABLE: entry(
    'unprocessable',
    false,
    'No provider is configured for this payment method and currency.',
  ),
  PAYRAIL_ERR_PAYMENT_METHOD_INVALID: entry(
    'invalid_request',
    false,
    'The payment method details are invalid.',
  ),
  PAYRAIL_ERR_VAULT_UNAVAILABLE: entry(
    'configuration',
    false,
    'No card vault key is configured: cards cannot be saved or paid in one click.',
  ),
  PAYRAIL_ERR_VERIFICATION_CODE_WRONG: entry(
    'unprocessable',
    false,
    'The verification code is wrong; the buyer may try again until the attempts run out.',
  ),
  // issuer service (payer authentication)
  PAYRAIL_ERR_ISSUER_KEY_REQUIRED: entry(
    'permission',
    false,
    'The /v1/issuer endpoints take an issuer API key (ik_test_… or ik_live_…), not a merchant key.',
  ),
  PAYRAIL_ERR_IIN_RANGE_OVERLAP: entry(
    'conflict',
    false,
    "The IIN range overlaps another issuer's range in this mode; register a range that does not include theirs.",
  ),
  PAYRAIL_ERR_CARD_ALREADY_ENROLLED: entry(
    'conflict',
    false,
    'The card is already enrolled; reset its code (POST /v1/issuer/enrolments/:id/code) or unenrol it first.',
  ),
  PAYRAIL_ERR_CARD_NOT_IN_RANGE: entry(
    'unprocessable',
    false,
    'The card number is in none of your IIN ranges in this mode; register a range that covers it first.',
  ),
  // idempotency
  PAYRAIL_ERR_IDEMPOTENCY_KEY_REUSED: entry(
    'unprocessable',
    false,
    'This Idempotency-Key was used with a different request; use a new key.',
  ),
  PAYRAIL_ERR_IDEMPOTENCY_IN_FLIGHT: entry(
    'conflict',
    true,
    'A request with this Idempotency-Key is still being processed; retry later.',
  ),
  PAYRAIL_ERR_IDEMPOTENCY_KEY_INVALID: entry(
    'invalid_request',
    false,
    'An Idempotency-Key is 1 to 255 printable characters.',
  ),
  // webhooks
  PAYRAIL_ERR_WEBHOOK_SIGNATURE: entry(
    'authentication',
    false,
    'The notification signature is missing or invalid.',
  ),
  PAYRAIL_ERR_WEBHOOK_PAYLOAD: entry('invalid_request', false, 'The notification body cannot be parsed.'),
  PAYRAIL_ERR_WEBHOOK_MISMATCH: entry(
    'unprocessable',
    false,
    'The notification amount or currency differs from the payment.',
  ),
  PAYRAIL_ERR_PLUGIN_NOT_FOUND: entry('not_found', false, 'No plugin instance with this id is registered.'),
  // provider
  PAYRAIL_ERR_PROVIDER_UNAVAILABLE: entry(
    'provider',
    true,
    'The payment provider did not answer; retry later.',
  ),
  PAYRAIL_ERR_PROVIDER_TIMEOUT: entry(
    'provider',
    true,
    'The payment provider timed out; the outcome is unknown and will be resolved by status sync.',
  ),
  PAYRAIL_ERR_PROVIDER_REJECTED: entry('provider', false, 'The payment provider rejected the request.'),
  PAYRAIL_ERR_PROVIDER_AUTH: entry('configuration', false, 'The payment provider rejected our credentials.'),
  PAYRAIL_ERR_OPERATION_UNSUPPORTED: entry(
    'unprocessable',
    false,
    'The provider of this payment cannot do this.',
  ),
  PAYRAIL_ERR_REFUND_NOT_SUPPORTED: entry(
    'unprocessable',
    false,
    'The provider of this payment has no refunds (refund_not_supported); refund the buyer outside Payrail.',
  ),
  // plugins / configuration
  PAYRAIL_ERR_PLUGIN_INVALID: entry('configuration', false, 'A plugin is invalid.'),
  PAYRAIL_ERR_PLUGIN_OPTIONS: entry('configuration', false, 'A plugin was given invalid options.'),
  PAYRAIL_ERR_PLUGIN_DUPLICATE: entry(
    'configuration',
    false,
    'Two plugins have the same id and instance id.',
  ),
  PAYRAIL_ERR_PLUGIN_CORE_RANGE: entry(
    'configuration',
    false,
    'A plugin does not support this version of core.',
  ),
  PAYRAIL_ERR_PLUGIN_CAPABILITIES: entry(
    'configuration',
    false,
    'A plugin declares capabilities that do not match its methods.',
  ),
  PAYRAIL_ERR_CONFIG: entry('configuration', false, 'The server configuration is invalid.'),
  PAYRAIL_ERR_STORE_UNAVAILABLE: entry('internal', true, 'The database is unavailable.'),
  PAYRAIL_ERR_RATE_LIMITED: entry('rate_limited', true, 'Too many requests; slow down.'),
  PAYRAIL_ERR_INTERNAL: entry('internal', true, 'An unexpected error occurred.'),
  // accounts and security (issue 6)
  PAYRAIL_ERR_PASSWORD_POLICY: entry(
    'invalid_request',
    false,
    'The password does not meet the password rules.',
  ),
  PAYRAIL_ERR_LOGIN_FAILED: entry('authentication', false, 'The login or the password is wrong.'),
  PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED: entry('permission', false, 'The account is not confirmed yet.'),
  PAYRAIL_ERR_SESSION_REQUIRED: entry(
    'authentication',
    false,
    'Log in first: this endpoint needs a session cookie.',
  ),
  PAYRAIL_ERR_CSRF_INVALID: entry('permission', false, 'The CSRF token is missing or invalid.'),
  PAYRAIL_ERR_TOKEN_INVALID: entry('invalid_request', false, 'The token is unknown.'),
  PAYRAIL_ERR_TOKEN_EXPIRED: entry('invalid_request', false, 'The token has expired.'),
  PAYRAIL_ERR_TOKEN_USED: entry('invalid_request', false, 'The token was already used.'),
  PAYRAIL_ERR_TELEGRAM_AUTH_INVALID: entry(
    'authentication',
    false,
    'The Telegram login data has a wrong hash.',
  ),
  PAYRAIL_ERR_TELEGRAM_AUTH_EXPIRED: entry(
    'authentication',
    false,
    'The Telegram login data is older than a day.',
  ),
  PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED: entry(
    'permission',
    false,
    'This operation needs the financial password or a step-up token.',
  ),
  PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID: entry('permission', false, 'The financial password is wrong.'),
  PAYRAIL_ERR_FINANCIAL_PASSWORD_LOCKED: entry(
    'rate_limited',
    true,
    'The financial password is locked after too many wrong attempts.',
  ),
  PAYRAIL_ERR_MFA_CODE_INVALID: entry('authentication', false, 'The two-factor code is wrong.'),
  PAYRAIL_ERR_PASSWORD_INCORRECT: entry('permission', false, 'The current password is wrong.'),
  PAYRAIL_ERR_FORBIDDEN: entry('permission', false, 'Your role does not allow this.'),
  // reports and buyer lookup (issue 9)
  PAYRAIL_ERR_TIMEZONE_UNKNOWN: entry(
    'invalid_request',
    false,
    'The time zone is not a known IANA time zone name.',
  ),
  PAYRAIL_ERR_REPORT_RANGE_INVALID: entry(
    'invalid_request',
    false,
    'The report period is not a valid date range.',
  ),
  PAYRAIL_ERR_REPORT_RANGE_TOO_LARGE: entry(
    'invalid_request',
    false,
    'The report period has too many buckets for one JSON answer.',
  ),
  PAYRAIL_ERR_LOOKUP_NO_MATCH: entry('not_found', false, 'No payment matches these details.'),
  // consulting tickets (issue 9)
  PAYRAIL_ERR_ATTACHMENT_TOO_LARGE: entry(
    'invalid_request',
    false,
    'An attachment is larger than 2 MiB; send a smaller file or split it over several messages.',
  ),
  PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH: entry(
    'invalid_request',
    false,
    'An attachment is not a PNG, JPEG, PDF or plain-text file of the content_type it declares.',
  ),
  PAYRAIL_ERR_TICKET_TRANSITION_INVALID: entry(
    'conflict',
    false,
    "The ticket's status does not allow this action (a closed ticket is final; only a resolved one closes).",
  ),
  // merchant onboarding: trial, live-account application, back office (issue 9)
  PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED: entry(
    'permission',
    false,
    'Live mode is not open for this merchant yet: use a test key, or apply for a live account in the personal account (onboarding) and wait for approval.',
  ),
  PAYRAIL_ERR_TRIAL_ALREADY_STARTED: entry(
    'conflict',
    false,
    'The free trial can be started once per merchant; it was started before.',
  ),
  PAYRAIL_ERR_APPLICATION_NOT_FOUND: entry(
    'not_found',
    false,
    'There is no such live-account application; create one with PUT /v1/account/onboarding/application.',
  ),
  PAYRAIL_ERR_APPLICATION_INCOMPLETE: entry(
    'invalid_request',
    false,
    'The application lacks required fields (listed in details.missing); fill them in and submit again.',
  ),
  PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID: entry(
    'conflict',
    false,
    'The application is not in a status that allows this step; read it again to see its status.',
  ),
  PAYRAIL_ERR_APPLICATION_CONFLICT: entry(
    'conflict',
    true,
    'The application was changed by someone else at the same time; read it again and retry.',
  ),
  PAYRAIL_ERR_ACQUIRING_BANK_UNKNOWN: entry(
    'invalid_request',
    false,
    'The acquiring bank is not one the PSP offers; choose an id from GET /v1/account/onboarding/acquiring-banks.',
  ),
  PAYRAIL_ERR_CONTACT_TAKEN: entry(
    'conflict',
    false,
    'The email address already belongs to another buyer account (as its login or a confirmed contact); that account must remove it first.',
  ),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
