import type { Ticket, TicketFile, TicketMessage, TicketRepository } from '@payrail/core';
import { Binary, type Filter } from 'mongodb';
import type { Collections } from '../collections';
import { keyId } from '../keys';
import type { TicketDoc } from '../ticket-documents';
import { clampLimit } from './pagination';

const ticketKey = (id: string) => keyId('ticket', id);
const attachmentKey = (id: string) => keyId('ticketAttachment', id);
const TICKET_ONLY = { messages: 0 } as const;

const decode = ({ _id, messages, ...ticket }: TicketDoc): Ticket => ticket;

/**
 * Tickets with their thread in one document (see ticket-documents.ts). A message's files are written
 * first; the ticket update that lists them comes last, so a crash in between leaves only unreferenced
 * bytes, which no read returns (an attachment is read through the message that lists it).
 */
export function ticketRepository({ run, tickets, ticketAttachments }: Collections): TicketRepository {
  async function insertFiles(ticketId: string, files: TicketFile[]) {
    if (files.length === 0) return;
    await run(() =>
      ticketAttachments.insertMany(
        files.map((file) => ({
          _id: attachmentKey(file.id),
          id: file.id,
          ticketId,
          data: new Binary(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength)),
        })),
      ),
    );
  }
  const dropFiles = (files: TicketFile[]) =>
    files.length === 0
      ? Promise.resolve()
      : run(() => ticketAttachments.deleteMany({ _id: { $in: files.map((f) => attachmentKey(f.id)) } }));

  /** Compare-and-set of what a write may change, optionally appending a message. */
  async function cas(ticket: Ticket, expectedVersion: number, message?: TicketMessage) {
    const updated = await run(() =>
      tickets.findOneAndUpdate(
        { _id: ticketKey(ticket.id), id: ticket.id, version: expectedVersion },
        {
          $set: { status: ticket.status, assigneeId: ticket.assigneeId, updatedAt: ticket.updatedAt },
          $inc: { version: 1 },
          ...(message ? { $push: { messages: message } } : {}),
        },
        { returnDocument: 'after', projection: TICKET_ONLY },
      ),
    );
    return updated ? decode(updated) : null;
  }

  async function listMessages(ticketId: string): Promise<TicketMessage[]> {
    const doc = await run(() =>
      tickets.findOne({ _id: ticketKey(ticketId), id: ticketId }, { projection: { messages: 1 } }),
    );
    return doc?.messages ?? [];
  }

  return {
    async create({ ticket, message, files }) {
      await insertFiles(ticket.id, files);
      await run(() => tickets.insertOne({ _id: ticketKey(ticket.id), ...ticket, messages: [message] }));
    },

    async get({ id }) {
      const doc = await run(() => tickets.findOne({ _id: ticketKey(id), id }, { projection: TICKET_ONLY }));
      return doc ? decode(doc) : null;
    },

    async list({ merchantId, status, topic, assigneeId, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const filter: Filter<TicketDoc> = {};
      if (merchantId !== undefined) filter.merchantId = merchantId;
      if (status !== undefined) filter.status = status;
      if (topic !== undefined) filter.topic = topic;
      if (assigneeId !== undefined) filter.assigneeId = assigneeId;
      if (startingAfter !== undefined) filter.id = { $lt: startingAfter };
      const docs = await run(() =>
        tickets
          .find(filter, { projection: TICKET_ONLY })
          .sort({ id: -1 })
          .limit(limit + 1)
          .toArray(),
      );
      return { data: docs.slice(0, limit).map(decode), hasMore: docs.length > limit };
    },

    listMessages: ({ ticketId }) => listMessages(ticketId),

    async addMessage({ ticket, expectedVersion, message, files }) {
      await insertFiles(ticket.id, files);
      const updated = await cas(ticket, expectedVersion, message);
      if (updated) return { ok: true, ticket: updated };
      await dropFiles(files);
      return { ok: false, reason: 'version_conflict' };
    },

    async update({ ticket, expectedVersion }) {
      const updated = await cas(ticket, expectedVersion);
      return updated ? { ok: true, ticket: updated } : { ok: false, reason: 'version_conflict' };
    },

    async getAttachment({ ticketId, attachmentId }) {
      const messages = await listMessages(ticketId);
      const attachment = messages.flatMap((m) => m.attachments).find((a) => a.id === attachmentId);
      if (!attachment) return null;
      const doc = await run(() => ticketAttachments.findOne({ _id: attachmentKey(attachmentId), ticketId }));
      if (!doc) return null;
      const bytes = doc.data.buffer;
      return { attachment, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    },
  };
}
