import type { Ticket, TicketMessage } from '@payrail/core';

/** A ticket as both APIs show it. */
export function ticketResource(ticket: Ticket) {
  return {
    id: ticket.id,
    object: 'ticket' as const,
    merchant_id: ticket.merchantId,
    opened_by: ticket.openedBy,
    topic: ticket.topic,
    subject: ticket.subject,
    status: ticket.status,
    assignee_id: ticket.assigneeId,
    payment_ids: ticket.paymentIds,
    created_at: ticket.createdAt.toISOString(),
    updated_at: ticket.updatedAt.toISOString(),
  };
}

/** One message of the thread; each attachment has the URL to download it under `basePath`. */
export function ticketMessageResource(message: TicketMessage, basePath: string) {
  return {
    id: message.id,
    object: 'ticket_message' as const,
    author_id: message.authorId,
    side: message.side,
    body: message.body,
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      content_type: a.contentType,
      size: a.size,
      sha256: a.sha256,
      url: `${basePath}/${message.ticketId}/attachments/${a.id}`,
    })),
    created_at: message.createdAt.toISOString(),
  };
}

/** A ticket with its thread, oldest message first. */
export const ticketWithThread = (ticket: Ticket, messages: TicketMessage[], basePath: string) => ({
  ...ticketResource(ticket),
  messages: messages.map((m) => ticketMessageResource(m, basePath)),
});
