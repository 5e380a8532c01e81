import { newId, type Store, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';

/** Security events stored in the audit log (issue 6). */
export type AuditEventType =
  | 'user.registered'
  | 'user.confirmed'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'logout'
  | 'session.revoked'
  | 'password.changed'
  | 'password.reset_requested'
  | 'password.reset'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.recovery_code_used'
  | 'financial_password.set'
  | 'financial_password.used'
  | 'financial_password.failed'
  | 'financial_password.locked'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'payment.captured'
  | 'webhook_endpoint.created'
  | 'webhook_endpoint.updated'
  | 'webhook_endpoint.deleted'
  // issuer keys, from the back office (PSP staff: no merchant, so the entry has merchant_id null)
  | 'issuer_key.created'
  | 'issuer_key.revoked'
  | 'role.changed'
  | 'user.removed'
  // merchant onboarding and its review in the back office (server/src/onboarding)
  | 'onboarding.trial_started'
  | 'onboarding.trial_expired'
  | 'application.created'
  | 'application.updated'
  | 'application.submitted'
  | 'application.changes_requested'
  | 'application.approved'
  | 'application.rejected'
  | 'acquiring_bank.created'
  | 'acquiring_bank.updated'
  // buyer account contacts (accounts/buyer/buyer-contacts.ts)
  | 'buyer_contact.confirmed'
  | 'buyer_contact.removed';

export async function audit(
  store: Store,
  request: FastifyRequest,
  now: Date,
  user: Pick<User, 'id' | 'merchantId'> | null,
  type: AuditEventType,
  data: Record<string, unknown> = {},
): Promise<void> {
  await store.auditLog.insert({
    entry: {
      id: newId('audit', now.getTime()),
      merchantId: user?.merchantId ?? null,
      userId: user?.id ?? null,
      type,
      ip: request.ip,
      userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
      data,
      createdAt: now,
    },
  });
}
