import type { Ticket, TicketFile, TicketMessage, TicketRepository, TicketWriteResult } from '@payrail/core';
import { type Db, type Queryable, rollback } from '../db';
import { insertRows, setClause } from '../mapping/sql';
import {
  rowToTicket,
  rowToTicketAttachment,
  rowToTicketMessage,
  TICKET_ATTACHMENT_COLUMNS,
  TICKET_COLUMNS,
  TICKET_MESSAGE_COLUMNS,
  TICKET_MUTABLE_COLUMNS,
  type TicketAttachmentRecord,
  type TicketAttachmentRow,
  type TicketMessageRow,
  type TicketRow,
} from '../mapping/ticket';
import { clampLimit, toPage, Where } from './pagination';

/** The message row and its attachments (metadata from the message, bytes from `files`). */
async function insertMessage(tx: Queryable, message: TicketMessage, files: TicketFile[]) {
  const insert = insertRows('ticket_messages', TICKET_MESSAGE_COLUMNS, [message]);
  await tx.query(insert.text, insert.values);
  if (message.attachments.length === 0) return;
  const records: TicketAttachmentRecord[] = message.attachments.map((attachment) => {
    const file = files.find((f) => f.id === attachment.id);
    if (!file) throw new Error(`ticket attachment ${attachment.id} has no bytes`);
    return { ...attachment, ticketId: message.ticketId, messageId: message.id, data: file.data };
  });
  const attachments = insertRows('ticket_attachments', TICKET_ATTACHMENT_COLUMNS, records);
  await tx.query(attachments.text, attachments.values);
}

/** bytea comes back as a Buffer: hand out a plain Uint8Array over the same memory. */
const bytesOf = (value: Uint8Array) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

const ATTACHMENT_META = 'id, ticket_id, message_id, filename, content_type, size, sha256';

export function ticketRepository(db: Db): TicketRepository {
  /** Compare-and-set of the mutable columns inside `tx`; null on a version conflict. */
  async function casTicket(tx: Queryable, ticket: Ticket, expectedVersion: number) {
    const set = setClause(TICKET_MUTABLE_COLUMNS, ticket, 2);
    const result = await tx.query<TicketRow>(
      `UPDATE tickets SET ${set.text}, version = version + 1 WHERE id = $1 AND version = $2 RETURNING *`,
      [ticket.id, expectedVersion, ...set.values],
    );
    return result.rows[0] ? rowToTicket(result.rows[0]) : null;
  }

  return {
    async create({ ticket, message, files }) {
      await db.transaction(async (tx) => {
        const insert = insertRows('tickets', TICKET_COLUMNS, [ticket]);
        await tx.query(insert.text, insert.values);
        await insertMessage(tx, message, files);
      });
    },

    async get({ id }) {
      const rows = await db.query<TicketRow>('SELECT * FROM tickets WHERE id = $1', [id]);
      return rows[0] ? rowToTicket(rows[0]) : null;
    },

    async list({ merchantId, status, topic, assigneeId, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const where = new Where()
        .addIf('merchant_id = ?', merchantId)
        .addIf('status = ?', status)
        .addIf('topic = ?', topic)
        .addIf('assignee_id = ?', assigneeId)
        .addIf('id < ?', startingAfter);
      if (assigneeId === null) where.conditions.push('assignee_id IS NULL');
      const rows = await db.query<TicketRow>(
        `SELECT * FROM tickets WHERE ${where.text || 'TRUE'} ORDER BY id DESC LIMIT ${where.param(limit + 1)}`,
        where.values,
      );
      return toPage(rows, limit, rowToTicket);
    },

    async listMessages({ ticketId }) {
      const [messages, attachments] = await Promise.all([
        db.query<TicketMessageRow>('SELECT * FROM ticket_messages WHERE ticket_id = $1 ORDER BY id', [
          ticketId,
        ]),
        db.query<TicketAttachmentRow>(
          `SELECT ${ATTACHMENT_META} FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id`,
          [ticketId],
        ),
      ]);
      return messages.map((row) =>
        rowToTicketMessage(
          row,
          attachments.filter((a) => a.message_id === row.id).map(rowToTicketAttachment),
        ),
      );
    },

    async addMessage({ ticket, expectedVersion, message, files }) {
      return db.transaction<TicketWriteResult>(async (tx) => {
        // The ticket first: a conflicting writer waits on its row lock, then finds the version moved.
        const updated = await casTicket(tx, ticket, expectedVersion);
        if (!updated) return rollback({ ok: false, reason: 'version_conflict' });
        await insertMessage(tx, message, files);
        return { ok: true, ticket: updated };
      });
    },

    async update({ ticket, expectedVersion }) {
      const updated = await db.transaction((tx) => casTicket(tx, ticket, expectedVersion));
      return updated ? { ok: true, ticket: updated } : { ok: false, reason: 'version_conflict' };
    },

    async getAttachment({ ticketId, attachmentId }) {
      const rows = await db.query<TicketAttachmentRow & { data: Uint8Array }>(
        'SELECT * FROM ticket_attachments WHERE id = $1 AND ticket_id = $2',
        [attachmentId, ticketId],
      );
      const row = rows[0];
      return row ? { attachment: rowToTicketAttachment(row), data: bytesOf(row.data) } : null;
    },
  };
}
