import { TICKET_STATUSES, TICKET_TOPICS } from '@payrail/core';
import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE } from './attachments';

/** A file as standard base64 in the JSON body; size and type are checked after parsing (attachments.ts). */
const attachment = z.strictObject({
  filename: z
    .string()
    .min(1)
    .max(255)
    // A plain name: no folders, no control characters (it ends up in Content-Disposition).
    .regex(/^[^/\\\p{Cc}]+$/u, 'filename must be a plain file name without / \\ or control characters'),
  content_type: z.string().min(1).max(100).describe('image/png, image/jpeg, application/pdf or text/plain'),
  data: z.string().min(1).describe('The file, standard base64 with padding; at most 2 MiB decoded.'),
});

const messageText = z.string().trim().min(1).max(10_000);
const attachments = z.array(attachment).max(MAX_ATTACHMENTS_PER_MESSAGE).default([]);

export const createTicketBody = z.strictObject({
  topic: z.enum(TICKET_TOPICS),
  subject: z.string().trim().min(1).max(200),
  body: messageText,
  payment_ids: z
    .array(z.string().min(1).max(64))
    .max(20)
    .default([])
    .refine((ids) => new Set(ids).size === ids.length, 'payment_ids must not repeat an id'),
  attachments,
});

export const replyTicketBody = z.strictObject({ body: messageText, attachments });

const listFields = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
  status: z.enum(TICKET_STATUSES).optional(),
};

export const merchantTicketsQuery = z.strictObject(listFields);

export const supportTicketsQuery = z.strictObject({
  ...listFields,
  topic: z.enum(TICKET_TOPICS).optional(),
  assignee: z
    .string()
    .max(64)
    .optional()
    .describe('A staff user id, `me` for the caller, or `none` for unassigned tickets.'),
});

export const assignTicketBody = z
  .strictObject({
    assignee_id: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .optional()
      .describe('A PSP staff user id; absent: the caller; null: unassign.'),
  })
  .nullish();

export const ticketIdParams = z.strictObject({ id: z.string().min(1).max(64) });
export const attachmentParams = z.strictObject({
  id: z.string().min(1).max(64),
  attachmentId: z.string().min(1).max(64),
});
