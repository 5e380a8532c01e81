import type { Ticket, TicketMessage, User } from '@payrail/core';
import type { AccountsDeps } from '../accounts/deps';

/** Long messages are cut in notifications; the full text is in the account. */
const EXCERPT_CHARS = 2_000;
const excerpt = (body: string) => (body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body);

/**
 * Tells the other side about a reply, on each recipient's own channel (email or Telegram):
 * - a support reply: the user who opened the ticket and the merchant's owners (once each);
 * - a merchant reply: the assigned staff member; nobody while the ticket is unassigned (the support
 *   queue, `GET /v1/backoffice/tickets?assignee=none`, is where unassigned tickets are picked up).
 * Queued in the background: the reply never waits for a channel.
 */
export async function notifyTicketReply(deps: AccountsDeps, ticket: Ticket, message: TicketMessage) {
  const { store, options } = deps;
  const vars = { ticketId: ticket.id, body: excerpt(message.body) };
  if (message.side === 'support') {
    const recipients = new Map<string, User>();
    const opener = await store.users.get({ id: ticket.openedBy });
    if (opener && opener.merchantId === ticket.merchantId) recipients.set(opener.id, opener);
    for (const user of await store.users.listByMerchant({ merchantId: ticket.merchantId })) {
      if (user.role === 'owner') recipients.set(user.id, user);
    }
    for (const user of recipients.values()) options.notifier.notifyUser(user, 'ticket_reply', vars);
    return;
  }
  if (ticket.assigneeId === null) return;
  const assignee = await store.users.get({ id: ticket.assigneeId });
  if (assignee?.accountType !== 'psp') return;
  const merchant = await store.merchants.get({ id: ticket.merchantId });
  options.notifier.notifyUser(assignee, 'ticket_merchant_reply', {
    ...vars,
    merchant: merchant?.name ?? ticket.merchantId,
  });
}
