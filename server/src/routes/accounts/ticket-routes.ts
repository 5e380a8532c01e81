import { isId } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requireMerchantPermission } from '../../accounts/roles';
import { listPage } from '../../http/list-page';
import { sendAttachment, TICKET_BODY_LIMIT } from '../../tickets/attachments';
import {
  closeTicket,
  loadAttachment,
  loadTicket,
  openTicket,
  replyToTicket,
  resolveTicket,
} from '../../tickets/ticket-operations';
import { ticketResource, ticketWithThread } from '../../tickets/ticket-resource';
import {
  attachmentParams,
  createTicketBody,
  merchantTicketsQuery,
  replyTicketBody,
  ticketIdParams,
} from '../../tickets/ticket-schemas';
import { ok200, ok201 } from './responses';

const BASE = '/v1/account/tickets';

/**
 * Consulting tickets of the user's merchant (docs/tickets.md): owners and staff read and write them;
 * another merchant's ticket is a 404; buyers, issuers and PSP staff (who use /v1/backoffice) get 403.
 */
export const ticketRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store } = deps;
  const security = [{ session: [] }];
  const tags = ['account', 'tickets'];

  /** The ticket with its thread, as every write answers. */
  const withThread = async (ticketId: string) => {
    const ticket = await loadTicket(deps, ticketId, null);
    return ticketWithThread(ticket, await store.tickets.listMessages({ ticketId }), BASE);
  };

  app.get(
    '/tickets',
    {
      schema: {
        tags,
        security,
        summary: "The merchant's tickets, newest first",
        querystring: merchantTicketsQuery,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'tickets:read');
      const q = request.query;
      const page = await store.tickets.list({
        merchantId,
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.starting_after && isId('ticket', q.starting_after) ? { startingAfter: q.starting_after } : {}),
      });
      return listPage(page, ticketResource);
    },
  );

  app.post(
    '/tickets',
    {
      bodyLimit: TICKET_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Open a ticket (attachments as base64, at most 3 of 2 MiB each)',
        body: createTicketBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'tickets:write');
      const { ticket, message } = await openTicket(deps, user, merchantId, request.body);
      return reply.code(201).send(ticketWithThread(ticket, [message], BASE));
    },
  );

  app.get(
    '/tickets/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One ticket with its thread',
        params: ticketIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'tickets:read');
      const ticket = await loadTicket(deps, request.params.id, merchantId);
      return ticketWithThread(ticket, await store.tickets.listMessages({ ticketId: ticket.id }), BASE);
    },
  );

  app.post(
    '/tickets/:id/messages',
    {
      bodyLimit: TICKET_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Reply on a ticket (reopens a resolved one); answers the ticket with its thread',
        params: ticketIdParams,
        body: replyTicketBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'tickets:write');
      const ticket = await loadTicket(deps, request.params.id, merchantId);
      await replyToTicket(deps, ticket, user, 'merchant', request.body);
      return reply.code(201).send(await withThread(ticket.id));
    },
  );

  app.post(
    '/tickets/:id/resolve',
    {
      schema: {
        tags,
        security,
        summary: 'Mark the ticket resolved',
        params: ticketIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'tickets:write');
      const ticket = await loadTicket(deps, request.params.id, merchantId);
      return ticketResource(await resolveTicket(deps, ticket));
    },
  );

  app.post(
    '/tickets/:id/close',
    {
      schema: {
        tags,
        security,
        summary: 'Close a resolved ticket (final)',
        params: ticketIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'tickets:write');
      const ticket = await loadTicket(deps, request.params.id, merchantId);
      return ticketResource(await closeTicket(deps, ticket));
    },
  );

  app.get(
    '/tickets/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        security,
        summary: 'Download an attachment (Content-Disposition: attachment)',
        params: attachmentParams,
      },
    },
    async (request, reply) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'tickets:read');
      const ticket = await loadTicket(deps, request.params.id, merchantId);
      const found = await loadAttachment(deps, ticket, request.params.attachmentId);
      return sendAttachment(reply, found.attachment, found.data);
    },
  );
};
