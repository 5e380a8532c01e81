import { PayrailError, type TicketStatus } from '@payrail/core';

/**
 * What can happen to a ticket. `reply` carries the side that wrote; `resolve` is open to both sides,
 * `close` to the merchant only, `assign` to support only (the routes check who may send which).
 */
export type TicketAction =
  | { type: 'reply'; side: 'merchant' | 'support' }
  | { type: 'resolve' }
  | { type: 'close' }
  | { type: 'assign' };

/** The action's name for error details and docs: `merchant_reply`, `support_reply`, `resolve`… */
export const actionName = (action: TicketAction): string =>
  action.type === 'reply' ? `${action.side}_reply` : action.type;

/**
 * The ticket status machine, `open → waiting_for_merchant | waiting_for_support → resolved → closed`:
 * - a merchant reply waits for support, a support reply waits for the merchant — from any status
 *   but closed, so a reply on a resolved ticket reopens it (a resolved answer that did not help is the
 *   common case, and a new ticket would lose the thread);
 * - either side resolves a ticket that is not resolved or closed;
 * - only a resolved ticket closes; closed is final (nothing closes on its own: there is no timer);
 * - assignment leaves the status as it is, and is refused on a closed ticket.
 * Returns the next status, or null when the action is not allowed.
 */
export function nextTicketStatus(status: TicketStatus, action: TicketAction): TicketStatus | null {
  if (status === 'closed') return null;
  switch (action.type) {
    case 'reply':
      return action.side === 'merchant' ? 'waiting_for_support' : 'waiting_for_merchant';
    case 'resolve':
      return status === 'resolved' ? null : 'resolved';
    case 'close':
      return status === 'resolved' ? 'closed' : null;
    case 'assign':
      return status;
  }
}

/** The next status; 409 PAYRAIL_ERR_TICKET_TRANSITION_INVALID when the action is not allowed. */
export function requireTicketTransition(status: TicketStatus, action: TicketAction): TicketStatus {
  const next = nextTicketStatus(status, action);
  if (next === null) {
    throw new PayrailError('PAYRAIL_ERR_TICKET_TRANSITION_INVALID', {
      message: `A ${status} ticket does not allow ${actionName(action)}.`,
      details: { status, action: actionName(action) },
    });
  }
  return next;
}
