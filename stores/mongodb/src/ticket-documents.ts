import type { Ticket, TicketMessage } from '@payrail/core';
import type { Binary, ObjectId } from 'mongodb';

/**
 * A ticket and its thread: one document, so a reply and the status change it causes are one atomic
 * update (`$push` the message, `$set` the status, compare-and-set on `version`). Attachment bytes are
 * not in it (16 MB document limit): each file is a document of `ticket_attachments`.
 */
export type TicketDoc = Ticket & { _id: ObjectId; messages: TicketMessage[] };

/** The bytes of one attachment (BinData), written before the message that lists it. */
export interface TicketAttachmentDoc {
  _id: ObjectId;
  id: string;
  ticketId: string;
  data: Binary;
}
