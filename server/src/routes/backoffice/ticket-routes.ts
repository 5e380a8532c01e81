import { isId, type TicketListFilter } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requirePspPermission } from '../../accounts/roles';
import { listPage } from '../../http/list-page';
import { sendAttachment, TICKET_BODY_LIMIT } from '../../tickets/attachments';
import {
  assignTicket,
  loadAttachment,
  loadTicket,
  replyToTicket,
  resolveTicket,
} from '../../tickets/ticket-operations';
import { ticketResource, ticketWithThread } from '../../tickets/ticket-resource';
import {
  assignTicketBody,
  attachmentParams,
  replyTicketBody,
  supportTicketsQuery,
  ticketIdParams,
} from '../../tickets/ticket-schemas';
import { ok200, ok201 } from '../accounts/responses';

const BASE = '/v1/backoffice/tickets';

/** `assignee=me|none|usr_…` as the store's filter (an id that is not a user id matches nothing). */
function assigneeFilter(assignee: string | undefined, me: string): Pick<TicketListFilter, 'assigneeId'> {
  if (assignee === undefined) return {};
  if (assignee === 'none') return { assigneeId: null };
  return { assigneeId: assignee === 'me' ? me : assignee };
}

/**
 * The support side of consulting tickets (docs/tickets.md): every merchant's tickets, for PSP staff
 * with `tickets:support` (support and admin).
 */
export const backofficeTicketRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (
  app,
  { deps },
) => {
  const { store } = deps;
  const security = [{ session: [] }];
  const tags = ['backoffice', 'tickets'];

  /** The caller, once their role is checked. */
  const supportUser = (request: Parameters<typeof accountOf>[0]) => {
    const { user } = accountOf(request);
    requirePspPermission(user, 'tickets:support');
    return user;
  };

  app.get(
    '/tickets',
    {
      schema: {
        tags,
        security,
        summary: 'Every merchant’s tickets, newest first, filtered by status, topic and assignee',
        querystring: supportTicketsQuery,
        response: ok200,
      },
    },
    async (request) => {
      const user = supportUser(request);
      const q = request.query;
      const page = await store.tickets.list({
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.topic ? { topic: q.topic } : {}),
        ...assigneeFilter(q.assignee, user.id),
        ...(q.starting_after && isId('ticket', q.starting_after) ? { startingAfter: q.starting_after } : {}),
      });
      return listPage(page, ticketResource);
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
      supportUser(request);
      const ticket = await loadTicket(deps, request.params.id, null);
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
        summary: 'Reply as support (assigns an unassigned ticket to the replier; notifies the merchant)',
        params: ticketIdParams,
        body: replyTicketBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const user = supportUser(request);
      const ticket = await loadTicket(deps, request.params.id, null);
      const { ticket: updated } = await replyToTicket(deps, ticket, user, 'support', request.body);
      const messages = await store.tickets.listMessages({ ticketId: ticket.id });
      return reply.code(201).send(ticketWithThread(updated, messages, BASE));
    },
  );

  app.post(
    '/tickets/:id/assign',
    {
      schema: {
        tags,
        security,
        summary: 'Assign the ticket to yourself (no body), to another staff member, or to nobody (null)',
        params: ticketIdParams,
        body: assignTicketBody,
        response: ok200,
      },
    },
    async (request) => {
      const user = supportUser(request);
      const ticket = await loadTicket(deps, request.params.id, null);
      const requested = request.body?.assignee_id;
      return ticketResource(await assignTicket(deps, ticket, requested === undefined ? user.id : requested));
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
      supportUser(request);
      const ticket = await loadTicket(deps, request.params.id, null);
      return ticketResource(await resolveTicket(deps, ticket));
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
      supportUser(request);
      const ticket = await loadTicket(deps, request.params.id, null);
      const found = await loadAttachment(deps, ticket, request.params.attachmentId);
      return sendAttachment(reply, found.attachment, found.data);
    },
  );
};
