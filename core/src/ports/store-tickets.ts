import type { Page } from './store';

/** What a merchant asks the PSP about (the topics the PSP consults on), or `other`. */
export const TICKET_TOPICS = [
  'online_shop',
  'payment_systems',
  'site_integration',
  'web_pos',
  'transaction_tracking',
  'security_risk',
  'other',
] as const;
export type TicketTopic = (typeof TICKET_TOPICS)[number];

export const TICKET_STATUSES = [
  'open',
  'waiting_for_merchant',
  'waiting_for_support',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A consulting ticket of one merchant. */
export interface Ticket {
  id: string;
  merchantId: string;
  /** The merchant user who opened it. */
  openedBy: string;
  topic: TicketTopic;
  subject: string;
  status: TicketStatus;
  /** The PSP staff member handling it, or null while unassigned. */
  assigneeId: string | null;
  /** Payments of the same merchant the ticket is about (checked by the server before writing). */
  paymentIds: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency: writes succeed only while the stored version equals `expectedVersion`. */
  version: number;
}

/** A file attached to a message; its bytes are read separately (`getAttachment`). */
export interface TicketAttachment {
  id: string;
  filename: string;
  contentType: string;
  /** Bytes. */
  size: number;
  /** SHA-256 hex of the bytes. */
  sha256: string;
}

export interface TicketMessage {
  id: string;
  ticketId: string;
  authorId: string;
  /** Who wrote it: a merchant user or PSP support staff. */
  side: 'merchant' | 'support';
  body: string;
  attachments: TicketAttachment[];
  createdAt: Date;
}

/** The bytes of one attachment of a message being written: `id` is one of `message.attachments`. */
export interface TicketFile {
  id: string;
  data: Uint8Array;
}

export interface TicketListFilter {
  /** Only this merchant's tickets (the merchant side always sets it). */
  merchantId?: string;
  status?: TicketStatus;
  topic?: TicketTopic;
  /** A staff user id, or null for unassigned tickets; absent: any. */
  assigneeId?: string | null;
  /** 1–100. */
  limit: number;
  /** Cursor: an id from the previous page; the next page holds older tickets. */
  startingAfter?: string;
}

export type TicketWriteResult = { ok: true; ticket: Ticket } | { ok: false; reason: 'version_conflict' };

/**
 * Tickets, their messages and attachment bytes. A write that changes a ticket and adds a message is one
 * atomic method (`addMessage`), so the thread and the status never disagree.
 */
export interface TicketRepository {
  /** Inserts a new ticket (version 1) with its first message and that message's files, atomically. */
  create(args: { ticket: Ticket; message: TicketMessage; files: TicketFile[] }): Promise<void>;
  /** Unscoped: the server checks the merchant (another merchant's ticket is a 404 there). */
  get(args: { id: string }): Promise<Ticket | null>;
  /** Newest first (ids sort by creation time). */
  list(args: TicketListFilter): Promise<Page<Ticket>>;
  /** The thread, oldest first, attachments without their bytes. */
  listMessages(args: { ticketId: string }): Promise<TicketMessage[]>;
  /**
   * Appends a message and replaces the ticket (status, assignee, updatedAt) if its stored version is
   * `expectedVersion`; the new version is +1. Nothing is written on a conflict.
   */
  addMessage(args: {
    ticket: Ticket;
    expectedVersion: number;
    message: TicketMessage;
    files: TicketFile[];
  }): Promise<TicketWriteResult>;
  /** Replaces the ticket's status, assignee and updatedAt if its stored version is `expectedVersion`. */
  update(args: { ticket: Ticket; expectedVersion: number }): Promise<TicketWriteResult>;
  /** One attachment of this ticket with its bytes, or null. */
  getAttachment(args: {
    ticketId: string;
    attachmentId: string;
  }): Promise<{ attachment: TicketAttachment; data: Uint8Array } | null>;
}
