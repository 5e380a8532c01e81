import {
  type AntifraudAuditRecord,
  type AntifraudListEntry,
  type FraudMark,
  type FraudMarkSource,
  type MerchantScope,
  newId,
  type Payment,
  type Store,
} from '@payrail/core';
import { normalizeListValue } from '../http/schemas/antifraud';

export interface FraudReportResult {
  created: boolean;
  mark: FraudMark;
  /** Block-list entries this report added or extended. */
  blocked: AntifraudListEntry[];
}

const audit = (
  scope: MerchantScope,
  actor: string,
  action: string,
  objectId: string,
  now: Date,
): AntifraudAuditRecord => ({
  id: newId('audit', now.getTime()),
  ...scope,
  actor,
  action,
  objectId,
  before: null,
  after: null,
  createdAt: now,
});

/**
 * Records that a payment was fraudulent — the merchant's own mark or a chargeback — once per payment
 * (backtests count it as known fraud), then blocks its card fingerprint and the buyer's email as asked:
 * by `blockCard` / `blockEmail` when given, else by the merchant's feedback settings (`autoBlockCard`,
 * `autoBlockEmail`, entries lasting `ttlSeconds`). A value already blocked for longer (or for good) is
 * left as it is: feedback never shortens a block. The mark and each entry are audited.
 */
export async function reportFraud(args: {
  store: Store;
  scope: MerchantScope;
  payment: Payment;
  source: FraudMarkSource;
  note: string | null;
  blockCard?: boolean;
  blockEmail?: boolean;
  actor: string;
  now: Date;
}): Promise<FraudReportResult> {
  const { store, scope, payment, actor, now } = args;
  const { created, mark } = await store.antifraud.markFraud({
    mark: { paymentId: payment.id, ...scope, source: args.source, actor, note: args.note, createdAt: now },
    audit: audit(scope, actor, 'payment.marked_fraud', payment.id, now),
  });
  const settings = await store.antifraud.getFeedbackSettings(scope);
  const blockCard = args.blockCard ?? settings?.autoBlockCard ?? false;
  const blockEmail = args.blockEmail ?? settings?.autoBlockEmail ?? false;
  const wanted: [AntifraudListEntry['kind'], string | undefined][] = [];
  if (blockCard) wanted.push(['card_fingerprint', payment.card?.fingerprint]);
  if (blockEmail) wanted.push(['email', payment.customer?.email]);
  const values = wanted.flatMap(([kind, raw]) => {
    const value = raw ? normalizeListValue(kind, raw) : undefined;
    return typeof value === 'string' ? [{ kind, value }] : [];
  });
  if (values.length === 0) return { created, mark, blocked: [] };

  const expiresAt = settings?.ttlSeconds ? new Date(now.getTime() + settings.ttlSeconds * 1000) : null;
  const live = await store.antifraud.liveListEntries({ ...scope, now });
  const blocked: AntifraudListEntry[] = [];
  for (const { kind, value } of values) {
    const existing = live.find((e) => e.list === 'block' && e.kind === kind && e.value === value);
    const lastsLonger =
      existing && (existing.expiresAt === null || (expiresAt !== null && existing.expiresAt >= expiresAt));
    if (lastsLonger) continue;
    blocked.push(
      await store.antifraud.upsertListEntry({
        entry: {
          id: newId('antifraudListEntry', now.getTime()),
          ...scope,
          list: 'block',
          kind,
          value,
          expiresAt,
          note: `${args.source === 'chargeback' ? 'chargeback' : 'fraud report'} on ${payment.id}`,
          createdAt: now,
          createdBy: actor,
        },
        audit: audit(scope, actor, 'list_entry.upserted', '', now),
      }),
    );
  }
  return { created, mark, blocked };
}
