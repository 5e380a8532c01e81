import { isId, newId, type Payment, PayrailError, paymentResource } from '@payrail/core';
import { parseDuration, parseRules } from '@payrail/plugin-antifraud';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../antifraud/actor';
import { runBacktest } from '../../antifraud/backtest';
import { type FraudReportResult, reportFraud } from '../../antifraud/fraud-report';
import { reviewQueue, reviewStatusOf } from '../../antifraud/reviews';
import { scopeOf } from '../../http/auth';
import { listPage } from '../../http/list-page';
import {
  addRuleBody,
  auditListSchema,
  auditQuery,
  auditResource,
  backtestBody,
  backtestSchema,
  createListEntryBody,
  feedbackSettingsBody,
  feedbackSettingsSchema,
  fraudReportBody,
  fraudReportSchema,
  listEntriesQuery,
  listEntryIdParams,
  listEntryListSchema,
  listEntryResource,
  listEntrySchema,
  listReviewsQuery,
  normalizeListValue,
  paymentFraudReportBody,
  putRulesBody,
  resolveReviewBody,
  reviewIdParams,
  reviewListSchema,
  reviewSchema,
  ruleIdParams,
  ruleSetResponse,
} from '../../http/schemas/antifraud';
import { errorResponses } from '../../http/schemas/common';
import { paymentIdParams } from '../../http/schemas/payments';

function reviewResource(p: Payment) {
  return {
    id: p.id,
    object: 'review' as const,
    status: reviewStatusOf(p) ?? 'open',
    score: p.risk?.score ?? 0,
    reasons: p.risk?.reasons ?? [],
    held_since: p.updatedAt.toISOString(),
    payment: paymentResource(p),
  };
}

const notFound = (what: string, id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No ${what} ${id.slice(0, 64)}.` });

const cursor = (param: string, kind: Parameters<typeof isId>[0], value: string | undefined) => {
  if (value !== undefined && !isId(kind, value)) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param,
      message: `${param} must be an id from a previous page.`,
    });
  }
};

/**
 * The antifraud API: the review queue (`/reviews`), the merchant's own lists and rules with their audit
 * trail (`/antifraud/…`), fraud feedback and backtests. Everything is scoped to the API key's merchant
 * and mode; another merchant's object is a 404.
 */
export const antifraudRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, orchestrator, logger, clock } = app.services;
  const queue = reviewQueue({ store, orchestrator, logger });
  const security = [{ apiKey: [] }];

  // ─── review queue ────────────────────────────────────────────────────────────────────────────

  app.get(
    '/reviews',
    {
      schema: {
        tags: ['reviews'],
        security,
        summary: 'List open reviews, newest first',
        description: 'Payments held by antifraud (authorized, not captured) until approved or rejected.',
        querystring: listReviewsQuery,
        response: { 200: reviewListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      cursor('starting_after', 'payment', q.starting_after);
      const page = await store.reviews.listOpen({
        ...scopeOf(request),
        limit: q.limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
      });
      return listPage(page, reviewResource);
    },
  );

  app.get(
    '/reviews/:id',
    {
      schema: {
        tags: ['reviews'],
        security,
        summary: 'Retrieve a review',
        params: reviewIdParams,
        response: { 200: reviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const payment = isId('payment', id) ? await store.payments.get({ ...scopeOf(request), id }) : null;
      if (!payment || reviewStatusOf(payment) === null) throw notFound('review', id);
      return reviewResource(payment);
    },
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/reviews/:id/${action}`,
      {
        schema: {
          tags: ['reviews'],
          security,
          summary: action === 'approve' ? 'Approve a review (capture)' : 'Reject a review (void)',
          description:
            'Idempotent: resolving a review again the same way returns it unchanged; the other way is a 409.',
          params: reviewIdParams,
          body: resolveReviewBody,
          response: { 200: reviewSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!isId('payment', id)) throw notFound('review', id);
        const payment = await queue.resolve({
          scope: scopeOf(request),
          id,
          action,
          actor: await actorOf(store, request),
          now: clock.now(),
        });
        return reviewResource(payment);
      },
    );
  }

  // ─── lists ───────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/antifraud/lists',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'List allow and block list entries, newest first',
        querystring: listEntriesQuery,
        response: { 200: listEntryListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      cursor('starting_after', 'antifraudListEntry', q.starting_after);
      const page = await store.antifraud.listListEntries({
        ...scopeOf(request),
        limit: q.limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.list ? { list: q.list } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
      });
      return listPage(page, listEntryResource);
    },
  );

  app.post(
    '/antifraud/lists',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Add a list entry (or update its expiry and note)',
        description:
          'Values are normalised (lowercase emails, canonical IPs and CIDR ranges). Adding an existing value again updates its expires_at and note and keeps its id.',
        body: createListEntryBody,
        response: { 200: listEntrySchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const scope = scopeOf(request);
      const now = clock.now();
      const actor = await actorOf(store, request);
      const entry = await store.antifraud.upsertListEntry({
        entry: {
          id: newId('antifraudListEntry', now.getTime()),
          ...scope,
          list: b.list,
          kind: b.kind,
          value: normalizeListValue(b.kind, b.value) as string,
          expiresAt: b.expires_at ?? null,
          note: b.note ?? null,
          createdAt: now,
          createdBy: actor,
        },
        audit: auditOf(scope, actor, 'list_entry.upserted', '', now),
      });
      return listEntryResource(entry);
    },
  );

  app.delete(
    '/antifraud/lists/:id',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Delete a list entry',
        params: listEntryIdParams,
        response: { 200: listEntrySchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isId('antifraudListEntry', id)) throw notFound('list entry', id);
      const scope = scopeOf(request);
      const now = clock.now();
      const deleted = await store.antifraud.deleteListEntry({
        ...scope,
        id,
        audit: auditOf(scope, await actorOf(store, request), 'list_entry.deleted', id, now),
      });
      if (!deleted) throw notFound('list entry', id);
      return listEntryResource(deleted);
    },
  );

  // ─── rules ───────────────────────────────────────────────────────────────────────────────────

  const ruleSetOf = async (scope: ReturnType<typeof scopeOf>) => {
    const set = await store.antifraud.getRuleSet(scope);
    return {
      object: 'antifraud_rules' as const,
      version: set?.version ?? 0,
      rules: set?.rules ?? [],
      updated_at: set?.updatedAt.toISOString() ?? null,
      updated_by: set?.updatedBy ?? null,
    };
  };

  /** Stores a new rule set version; a concurrent change in between is a 409 (re-read and retry). */
  const writeRules = async (
    request: Parameters<typeof scopeOf>[0],
    rules: unknown[],
    expectedVersion: number,
    action: string,
  ) => {
    const scope = scopeOf(request);
    const now = clock.now();
    const actor = await actorOf(store, request);
    const result = await store.antifraud.putRuleSet({
      ruleSet: { ...scope, rules, version: expectedVersion + 1, updatedAt: now, updatedBy: actor },
      expectedVersion,
      audit: auditOf(scope, actor, action, 'rules', now),
    });
    if (!result.ok) {
      throw new PayrailError('PAYRAIL_ERR_VERSION_CONFLICT', {
        message: 'The rules were changed concurrently; read them again and retry.',
      });
    }
    return ruleSetOf(scope);
  };

  /** Rules as the merchant wrote them (defaults not filled in), once validated. */
  const validated = (rules: unknown[]): unknown[] => {
    if (rules.length > 1000) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: 'rule',
        message: 'A rule set holds at most 1000 rules.',
      });
    }
    try {
      parseRules(rules);
    } catch (error) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', { param: 'rules', message: (error as Error).message });
    }
    return rules;
  };

  app.get(
    '/antifraud/rules',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Retrieve the merchant’s rules',
        response: { 200: ruleSetResponse, ...errorResponses },
      },
    },
    async (request) => ruleSetOf(scopeOf(request)),
  );

  app.put(
    '/antifraud/rules',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Replace the merchant’s rules',
        description:
          'The whole rule set, validated (every issue names its path). Send expected_version to refuse a concurrent change.',
        body: putRulesBody,
        response: { 200: ruleSetResponse, ...errorResponses },
      },
    },
    async (request) => {
      const raw = request.body.rules;
      const current = await store.antifraud.getRuleSet(scopeOf(request));
      const expected = request.body.expected_version ?? current?.version ?? 0;
      // The raw JSON is stored (rule defaults are applied when compiled), after the schema accepted it.
      return writeRules(request, raw, expected, 'rules.replaced');
    },
  );

  app.post(
    '/antifraud/rules',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Add one rule',
        body: addRuleBody,
        response: { 200: ruleSetResponse, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const current = await store.antifraud.getRuleSet(scope);
      const rules = validated([...(current?.rules ?? []), request.body.rule]);
      return writeRules(request, rules, current?.version ?? 0, 'rules.rule_added');
    },
  );

  app.delete(
    '/antifraud/rules/:id',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Delete one rule',
        params: ruleIdParams,
        response: { 200: ruleSetResponse, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const current = await store.antifraud.getRuleSet(scope);
      const rules = (current?.rules ?? []) as { id?: unknown }[];
      const kept = rules.filter((r) => r?.id !== request.params.id);
      if (!current || kept.length === rules.length) throw notFound('rule', request.params.id);
      return writeRules(request, kept, current.version, 'rules.rule_deleted');
    },
  );

  app.get(
    '/antifraud/audit',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Who changed what in the antifraud configuration, newest first',
        querystring: auditQuery,
        response: { 200: auditListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      cursor('starting_after', 'audit', q.starting_after);
      const page = await store.antifraud.listAudit({
        ...scopeOf(request),
        limit: q.limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
      });
      return listPage(page, auditResource);
    },
  );

  // ─── feedback and backtest ─────────────────────────────────────────────────────────────────────

  app.post(
    '/antifraud/fraud-reports',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Mark a payment as fraudulent',
        description:
          'Recorded once per payment (backtests count it as known fraud). block_card / block_email add the card fingerprint / email to the block list.',
        body: fraudReportBody,
        response: { 200: fraudReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const scope = scopeOf(request);
      const payment = isId('payment', b.payment_id)
        ? await store.payments.get({ ...scope, id: b.payment_id })
        : null;
      if (!payment) {
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
          param: 'payment_id',
          message: `No payment ${b.payment_id.slice(0, 64)}.`,
        });
      }
      const result = await reportFraud({
        store,
        scope,
        payment,
        source: b.source,
        note: b.note ?? null,
        ...(b.block_card !== undefined ? { blockCard: b.block_card } : {}),
        ...(b.block_email !== undefined ? { blockEmail: b.block_email } : {}),
        actor: await actorOf(store, request),
        now: clock.now(),
      });
      return fraudReportResource(result);
    },
  );

  app.post(
    '/payments/:id/fraud_report',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Report a payment as fraudulent (your finding or a chargeback)',
        description:
          'Recorded once per payment with its source (backtests count it as known fraud). Blocks the card fingerprint and email as block_card / block_email say, else as your feedback settings (PUT /v1/antifraud/feedback) say.',
        params: paymentIdParams,
        body: paymentFraudReportBody,
        response: { 200: fraudReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body ?? { source: 'merchant' as const };
      const scope = scopeOf(request);
      const id = request.params.id;
      const payment = isId('payment', id) ? await store.payments.get({ ...scope, id }) : null;
      if (!payment) throw notFound('payment', id);
      const result = await reportFraud({
        store,
        scope,
        payment,
        source: b.source,
        note: b.note ?? null,
        ...(b.block_card !== undefined ? { blockCard: b.block_card } : {}),
        ...(b.block_email !== undefined ? { blockEmail: b.block_email } : {}),
        actor: await actorOf(store, request),
        now: clock.now(),
      });
      return fraudReportResource(result);
    },
  );

  const feedbackOf = async (scope: ReturnType<typeof scopeOf>) => {
    const f = await store.antifraud.getFeedbackSettings(scope);
    return {
      object: 'antifraud_feedback' as const,
      auto_block_card: f?.autoBlockCard ?? false,
      auto_block_email: f?.autoBlockEmail ?? false,
      ttl_seconds: f?.ttlSeconds ?? null,
      updated_at: f?.updatedAt.toISOString() ?? null,
      updated_by: f?.updatedBy ?? null,
    };
  };

  app.get(
    '/antifraud/feedback',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'What a fraud report blocks automatically',
        response: { 200: feedbackSettingsSchema, ...errorResponses },
      },
    },
    async (request) => feedbackOf(scopeOf(request)),
  );

  app.put(
    '/antifraud/feedback',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Set what a fraud report blocks automatically',
        body: feedbackSettingsBody,
        response: { 200: feedbackSettingsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const scope = scopeOf(request);
      const now = clock.now();
      const actor = await actorOf(store, request);
      const ttlMs = b.ttl ? parseDuration(b.ttl) : undefined;
      await store.antifraud.putFeedbackSettings({
        settings: {
          ...scope,
          autoBlockCard: b.auto_block_card,
          autoBlockEmail: b.auto_block_email,
          ttlSeconds: ttlMs ? ttlMs / 1000 : null,
          updatedAt: now,
          updatedBy: actor,
        },
        audit: auditOf(scope, actor, 'feedback.replaced', 'feedback', now),
      });
      return feedbackOf(scope);
    },
  );

  app.post(
    '/antifraud/backtest',
    {
      schema: {
        tags: ['antifraud'],
        security,
        summary: 'Replay stored payments through a candidate rule set',
        description:
          'Counts what the candidate rules (with the merchant’s current lists) would have decided for the payments created in [from, to), against what was decided, the payments marked as fraud and the false positives. Changes nothing.',
        body: backtestBody,
        response: { 200: backtestSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return runBacktest({
        store,
        scope: scopeOf(request),
        rules: b.rules,
        from: b.from,
        to: b.to,
        includeLists: b.include_lists,
        now: clock.now(),
      });
    },
  );
};

function fraudReportResource(r: FraudReportResult) {
  return {
    object: 'fraud_report' as const,
    payment_id: r.mark.paymentId,
    source: r.mark.source,
    created: r.created,
    created_at: r.mark.createdAt.toISOString(),
    blocked: r.blocked.map(listEntryResource),
  };
}

function auditOf(
  scope: { merchantId: string; mode: 'test' | 'live' },
  actor: string,
  action: string,
  objectId: string,
  now: Date,
) {
  return {
    id: newId('audit', now.getTime()),
    ...scope,
    actor,
    action,
    objectId,
    before: null,
    after: null,
    createdAt: now,
  };
}
