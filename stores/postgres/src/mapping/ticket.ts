import type { Ticket, TicketAttachment, TicketMessage, TicketStatus, TicketTopic } from '@payrail/core';
import type { Column } from './sql';

export interface TicketRow {
  id: string;
  merchant_id: string;
  opened_by: string;
  topic: TicketTopic;
  subject: string;
  status: TicketStatus;
  assignee_id: string | null;
  payment_ids: string[];
  created_at: Date;
  updated_at: Date;
  version: number;
}

export const TICKET_COLUMNS: readonly Column<Ticket>[] = [
  { name: 'id', value: (t) => t.id },
  { name: 'merchant_id', value: (t) => t.merchantId },
  { name: 'opened_by', value: (t) => t.openedBy },
  { name: 'topic', value: (t) => t.topic },
  { name: 'subject', value: (t) => t.subject },
  { name: 'status', value: (t) => t.status },
  { name: 'assignee_id', value: (t) => t.assigneeId },
  { name: 'payment_ids', json: 'jsonb', value: (t) => t.paymentIds },
  { name: 'created_at', value: (t) => t.createdAt },
  { name: 'updated_at', value: (t) => t.updatedAt },
  { name: 'version', value: (t) => t.version },
];

/** What a ticket write may change; the rest is fixed when the ticket is opened. */
export const TICKET_MUTABLE_COLUMNS = TICKET_COLUMNS.filter((c) =>
  ['status', 'assignee_id', 'updated_at'].includes(c.name),
);

export const rowToTicket = (row: TicketRow): Ticket => ({
  id: row.id,
  merchantId: row.merchant_id,
  openedBy: row.opened_by,
  topic: row.topic,
  subject: row.subject,
  status: row.status,
  assigneeId: row.assignee_id,
  paymentIds: row.payment_ids,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  version: row.version,
});

export interface TicketMessageRow {
  id: string;
  ticket_id: string;
  author_id: string;
  side: 'merchant' | 'support';
  body: string;
  created_at: Date;
}

export const TICKET_MESSAGE_COLUMNS: readonly Column<TicketMessage>[] = [
  { name: 'id', value: (m) => m.id },
  { name: 'ticket_id', value: (m) => m.ticketId },
  { name: 'author_id', value: (m) => m.authorId },
  { name: 'side', value: (m) => m.side },
  { name: 'body', value: (m) => m.body },
  { name: 'created_at', value: (m) => m.createdAt },
];

export const rowToTicketMessage = (
  row: TicketMessageRow,
  attachments: TicketAttachment[],
): TicketMessage => ({
  id: row.id,
  ticketId: row.ticket_id,
  authorId: row.author_id,
  side: row.side,
  body: row.body,
  attachments,
  createdAt: row.created_at,
});

/** One stored attachment: its metadata, where it belongs, and its bytes. */
export interface TicketAttachmentRecord extends TicketAttachment {
  ticketId: string;
  messageId: string;
  data: Uint8Array;
}

export interface TicketAttachmentRow {
  id: string;
  ticket_id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  data?: Uint8Array;
}

export const TICKET_ATTACHMENT_COLUMNS: readonly Column<TicketAttachmentRecord>[] = [
  { name: 'id', value: (a) => a.id },
  { name: 'ticket_id', value: (a) => a.ticketId },
  { name: 'message_id', value: (a) => a.messageId },
  { name: 'filename', value: (a) => a.filename },
  { name: 'content_type', value: (a) => a.contentType },
  { name: 'size', value: (a) => a.size },
  { name: 'sha256', value: (a) => a.sha256 },
  { name: 'data', value: (a) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength) },
];

export const rowToTicketAttachment = (row: TicketAttachmentRow): TicketAttachment => ({
  id: row.id,
  filename: row.filename,
  contentType: row.content_type,
  size: row.size,
  sha256: row.sha256,
});
