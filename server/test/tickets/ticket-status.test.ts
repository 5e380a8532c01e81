import { isPayrailErrorCode, TICKET_STATUSES, type TicketStatus } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import {
  nextTicketStatus,
  requireTicketTransition,
  type TicketAction,
} from '../../src/tickets/ticket-status';

const MERCHANT_REPLY: TicketAction = { type: 'reply', side: 'merchant' };
const SUPPORT_REPLY: TicketAction = { type: 'reply', side: 'support' };
const RESOLVE: TicketAction = { type: 'resolve' };
const CLOSE: TicketAction = { type: 'close' };
const ASSIGN: TicketAction = { type: 'assign' };

/** Every status × action: the next status, or null for 409 PAYRAIL_ERR_TICKET_TRANSITION_INVALID. */
const TABLE: Record<TicketStatus, [TicketAction, TicketStatus | null][]> = {
  open: [
    [MERCHANT_REPLY, 'waiting_for_support'],
    [SUPPORT_REPLY, 'waiting_for_merchant'],
    [RESOLVE, 'resolved'],
    [CLOSE, null],
    [ASSIGN, 'open'],
  ],
  waiting_for_merchant: [
    [MERCHANT_REPLY, 'waiting_for_support'],
    [SUPPORT_REPLY, 'waiting_for_merchant'],
    [RESOLVE, 'resolved'],
    [CLOSE, null],
    [ASSIGN, 'waiting_for_merchant'],
  ],
  waiting_for_support: [
    [MERCHANT_REPLY, 'waiting_for_support'],
    [SUPPORT_REPLY, 'waiting_for_merchant'],
    [RESOLVE, 'resolved'],
    [CLOSE, null],
    [ASSIGN, 'waiting_for_support'],
  ],
  // A reply reopens a resolved ticket; resolving twice is refused.
  resolved: [
    [MERCHANT_REPLY, 'waiting_for_support'],
    [SUPPORT_REPLY, 'waiting_for_merchant'],
    [RESOLVE, null],
    [CLOSE, 'closed'],
    [ASSIGN, 'resolved'],
  ],
  // Final.
  closed: [
    [MERCHANT_REPLY, null],
    [SUPPORT_REPLY, null],
    [RESOLVE, null],
    [CLOSE, null],
    [ASSIGN, null],
  ],
};

const rows = TICKET_STATUSES.flatMap((status) =>
  TABLE[status].map(([action, next]) => ({ status, action, next })),
);

describe('ticket status machine', () => {
  it('the table covers every status and every action', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...TICKET_STATUSES].sort());
    for (const status of TICKET_STATUSES) expect(TABLE[status]).toHaveLength(5);
  });

  it.each(rows)('$status + $action.type $action.side → $next', ({ status, action, next }) => {
    expect(nextTicketStatus(status, action)).toBe(next);
    if (next !== null) {
      expect(requireTicketTransition(status, action)).toBe(next);
      return;
    }
    let thrown: unknown;
    try {
      requireTicketTransition(status, action);
    } catch (error) {
      thrown = error;
    }
    expect(isPayrailErrorCode(thrown, 'PAYRAIL_ERR_TICKET_TRANSITION_INVALID')).toBe(true);
    expect((thrown as { category: string }).category).toBe('conflict');
    expect((thrown as { details: unknown }).details).toMatchObject({ status });
  });
});
