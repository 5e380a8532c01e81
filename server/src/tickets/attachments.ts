import { createHash } from 'node:crypto';
import { newId, PayrailError, type TicketAttachment, type TicketFile } from '@payrail/core';
import type { FastifyReply } from 'fastify';

/** Each attachment is at most 2 MiB of decoded bytes; a message takes at most 3 of them. */
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_MESSAGE = 3;
/** Base64 of 3 full attachments plus the message text and JSON around it. */
export const TICKET_BODY_LIMIT =
  MAX_ATTACHMENTS_PER_MESSAGE * Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 128 * 1024;

/** The types a ticket accepts, recognised by their first bytes (text: valid UTF-8 without binary controls). */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** An attachment as the API takes it: the bytes as standard base64 inside the JSON body. */
export interface AttachmentInput {
  filename: string;
  content_type: string;
  data: string;
}

const startsWith = (data: Uint8Array, magic: readonly number[]) =>
  data.length >= magic.length && magic.every((byte, i) => data[i] === byte);

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

function isPlainText(data: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  // C0 controls other than tab, line feed, form feed and carriage return mark a binary file.
  return !data.some(
    (byte) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d,
  );
}

/** The allowed type the bytes are, by magic number; null for anything else. */
export function sniffAttachmentType(data: Uint8Array): AttachmentType | null {
  if (startsWith(data, PNG)) return 'image/png';
  if (startsWith(data, JPEG)) return 'image/jpeg';
  if (startsWith(data, PDF)) return 'application/pdf';
  return isPlainText(data) ? 'text/plain' : null;
}

/** Strict standard base64 (padding required): Buffer.from would skip foreign characters silently. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decoded length from the text alone, so an oversized file is refused before it is decoded. */
const decodedLength = (text: string) =>
  (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);

/**
 * Checks and decodes a message's attachments: size first (PAYRAIL_ERR_ATTACHMENT_TOO_LARGE), then the
 * declared type against the bytes (PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH). Returns the metadata stored
 * with the message and the bytes for the store.
 */
export function decodeAttachments(
  inputs: readonly AttachmentInput[],
  now: Date,
): { attachments: TicketAttachment[]; files: TicketFile[] } {
  const attachments: TicketAttachment[] = [];
  const files: TicketFile[] = [];
  inputs.forEach((input, index) => {
    const param = `attachments.${index}`;
    if (!BASE64.test(input.data)) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: `${param}.data`,
        message: 'data must be the file as standard base64 (A–Z a–z 0–9 + /, with = padding).',
      });
    }
    const size = decodedLength(input.data);
    if (size > MAX_ATTACHMENT_BYTES) {
      throw new PayrailError('PAYRAIL_ERR_ATTACHMENT_TOO_LARGE', {
        param: `${param}.data`,
        message: `${input.filename} is ${size} bytes; an attachment may have at most ${MAX_ATTACHMENT_BYTES} (2 MiB).`,
        details: { size, max: MAX_ATTACHMENT_BYTES },
      });
    }
    const data = new Uint8Array(Buffer.from(input.data, 'base64'));
    const declared = input.content_type.split(';')[0]?.trim().toLowerCase() ?? '';
    const detected = sniffAttachmentType(data);
    if (detected === null || detected !== declared) {
      throw new PayrailError('PAYRAIL_ERR_ATTACHMENT_TYPE_MISMATCH', {
        param: `${param}.content_type`,
        message: `${input.filename} is declared ${declared || '(none)'} but its content is ${detected ?? 'not an allowed type'}; allowed: ${ATTACHMENT_TYPES.join(', ')}.`,
        details: { declared, detected },
      });
    }
    const id = newId('ticketAttachment', now.getTime());
    attachments.push({
      id,
      filename: input.filename,
      contentType: detected,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    files.push({ id, data });
  });
  return { attachments, files };
}

/** `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Sends a stored attachment as a download: never rendered inline (`attachment`, `nosniff`, and a
 * sandbox CSP in case a browser renders it anyway), never cached by shared caches.
 */
export function sendAttachment(
  reply: FastifyReply,
  attachment: { filename: string; contentType: string },
  data: Uint8Array,
) {
  const type = attachment.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.contentType;
  return reply
    .header('content-type', type)
    .header('content-disposition', contentDisposition(attachment.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
