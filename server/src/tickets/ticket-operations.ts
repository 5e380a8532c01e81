import {
  isId,
  newId,
  PayrailError,
  type Ticket,
  type TicketFile,
  type TicketMessage,
  type TicketTopic,
  type User,
} from '@payrail/core';
import type { AccountsDeps } from '../accounts/deps';
import { type AttachmentInput, decodeAttachments } from './attachments';
import { notifyTicketReply } from './ticket-notifications';
import { requireTicketTransition, type TicketAction } from './ticket-status';

/** How often a write that lost a race on the ticket's version is re-decided on a fresh read. */
const WRITE_ATTEMPTS = 3;

export const ticketNotFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No ticket ${id.slice(0, 64)}.` });

export const attachmentNotFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
    param: 'attachmentId',
    message: `No attachment ${id.slice(0, 64)} on this ticket.`,
  });

/** The attachment with its bytes, if it belongs to this ticket; 404 otherwise. */
export async function loadAttachment(deps: AccountsDeps, ticket: Ticket, attachmentId: string) {
  const found = isId('ticketAttachment', attachmentId)
    ? await deps.store.tickets.getAttachment({ ticketId: ticket.id, attachmentId })
    : null;
  if (!found) throw attachmentNotFound(attachmentId);
  return found;
}

/** The ticket if it exists and, for a merchant user, belongs to their merchant; 404 otherwise. */
export async function loadTicket(deps: AccountsDeps, id: string, merchantId: string | null): Promise<Ticket> {
  const ticket = isId('ticket', id) ? await deps.store.tickets.get({ id }) : null;
  if (!ticket || (merchantId !== null && ticket.merchantId !== merchantId)) throw ticketNotFound(id);
  return ticket;
}

/** Linked payments must be the merchant's own (any mode); another merchant's is as unknown as none. */
async function checkPayments(deps: AccountsDeps, merchantId: string, ids: readonly string[]) {
  for (const [index, id] of ids.entries()) {
    const payment = isId('payment', id) ? await deps.store.payments.getById({ id }) : null;
    if (!payment || payment.merchantId !== merchantId) {
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
        param: `payment_ids.${index}`,
        message: `No payment ${id.slice(0, 64)} of your merchant.`,
      });
    }
  }
}

export async function openTicket(
  deps: AccountsDeps,
  user: User,
  merchantId: string,
  input: {
    topic: TicketTopic;
    subject: string;
    body: string;
    payment_ids: string[];
    attachments: AttachmentInput[];
  },
): Promise<{ ticket: Ticket; message: TicketMessage }> {
  const now = deps.clock.now();
  const { attachments, files } = decodeAttachments(input.attachments, now);
  await checkPayments(deps, merchantId, input.payment_ids);
  const ticket: Ticket = {
    id: newId('ticket', now.getTime()),
    merchantId,
    openedBy: user.id,
    topic: input.topic,
    subject: input.subject,
    status: 'open',
    assigneeId: null,
    paymentIds: input.payment_ids,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const message: TicketMessage = {
    id: newId('ticketMessage', now.getTime()),
    ticketId: ticket.id,
    authorId: user.id,
    side: 'merchant',
    body: input.body,
    attachments,
    createdAt: now,
  };
  await deps.store.tickets.create({ ticket, message, files });
  return { ticket, message };
}

/**
 * Applies `action` to the ticket: decides the next state from the ticket as read, writes it with a
 * compare-and-set on its version (with the message, for a reply), and on a lost race decides again on
 * a fresh read — the action may have become invalid meanwhile (the other side closed it).
 */
async function writeTicket(
  deps: AccountsDeps,
  read: Ticket,
  action: TicketAction,
  change: (ticket: Ticket) => Partial<Pick<Ticket, 'assigneeId'>>,
  message?: { message: TicketMessage; files: TicketFile[] },
): Promise<Ticket> {
  let ticket = read;
  for (let attempt = 1; ; attempt++) {
    const status = requireTicketTransition(ticket.status, action);
    const next: Ticket = { ...ticket, ...change(ticket), status, updatedAt: deps.clock.now() };
    const result = message
      ? await deps.store.tickets.addMessage({ ticket: next, expectedVersion: ticket.version, ...message })
      : await deps.store.tickets.update({ ticket: next, expectedVersion: ticket.version });
    if (result.ok) return result.ticket;
    const fresh = await deps.store.tickets.get({ id: ticket.id });
    if (!fresh) throw ticketNotFound(ticket.id);
    if (attempt >= WRITE_ATTEMPTS) throw new PayrailError('PAYRAIL_ERR_VERSION_CONFLICT');
    ticket = fresh;
  }
}

/**
 * A reply from either side. A support reply on an unassigned ticket assigns it to the replier, so
 * the merchant's answer reaches someone. Notifies the other side (ticket-notifications.ts).
 */
export async function replyToTicket(
  deps: AccountsDeps,
  ticket: Ticket,
  author: User,
  side: 'merchant' | 'support',
  input: { body: string; attachments: AttachmentInput[] },
): Promise<{ ticket: Ticket; message: TicketMessage }> {
  const now = deps.clock.now();
  // Refuse a reply on a closed ticket before decoding megabytes of attachments.
  requireTicketTransition(ticket.status, { type: 'reply', side });
  const { attachments, files } = decodeAttachments(input.attachments, now);
  const message: TicketMessage = {
    id: newId('ticketMessage', now.getTime()),
    ticketId: ticket.id,
    authorId: author.id,
    side,
    body: input.body,
    attachments,
    createdAt: now,
  };
  const updated = await writeTicket(
    deps,
    ticket,
    { type: 'reply', side },
    (current) => (side === 'support' && current.assigneeId === null ? { assigneeId: author.id } : {}),
    { message, files },
  );
  await notifyTicketReply(deps, updated, message);
  return { ticket: updated, message };
}

export const resolveTicket = (deps: AccountsDeps, ticket: Ticket) =>
  writeTicket(deps, ticket, { type: 'resolve' }, () => ({}));

export const closeTicket = (deps: AccountsDeps, ticket: Ticket) =>
  writeTicket(deps, ticket, { type: 'close' }, () => ({}));

/** Assigns to a PSP staff member who handles tickets (or unassigns with null). */
export async function assignTicket(deps: AccountsDeps, ticket: Ticket, assigneeId: string | null) {
  if (assigneeId !== null) {
    const assignee = isId('user', assigneeId) ? await deps.store.users.get({ id: assigneeId }) : null;
    const handlesTickets =
      assignee?.accountType === 'psp' && (assignee.role === 'support' || assignee.role === 'admin');
    if (!handlesTickets) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: 'assignee_id',
        message: 'assignee_id must be a PSP staff member (support or admin).',
      });
    }
  }
  return writeTicket(deps, ticket, { type: 'assign' }, () => ({ assigneeId }));
}
