import { createHash, randomBytes } from 'node:crypto';
import {
  newId,
  type Store,
  type Ticket,
  type TicketAttachment,
  type TicketFile,
  type TicketMessage,
} from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeMerchant } from '../fixtures';
import { makeUser } from './accounts';

const T0 = new Date('2030-02-01T00:00:00.000Z').getTime();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A merchant with an owner, and a PSP support user. */
async function people(store: Store) {
  const merchant = makeMerchant();
  await store.merchants.create({ merchant, apiKeys: [] });
  const owner = makeUser({ accountType: 'merchant', role: 'owner', merchantId: merchant.id });
  const support = makeUser({ accountType: 'psp', role: 'support' });
  await store.users.insert({ user: owner });
  await store.users.insert({ user: support });
  return { merchant, owner, support };
}

function makeTicket(merchantId: string, openedBy: string, overrides: Partial<Ticket> = {}): Ticket {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('ticket', createdAt.getTime()),
    merchantId,
    openedBy,
    topic: 'web_pos',
    subject: 'Web-POS terminal shows «ошибка 42»',
    status: 'open',
    assigneeId: null,
    paymentIds: [],
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

/** A file of `size` random bytes (all 256 byte values appear, so nothing may be mangled as text). */
function makeFile(size: number): { attachment: TicketAttachment; file: TicketFile } {
  const data = new Uint8Array(randomBytes(size));
  const id = newId('ticketAttachment');
  return {
    attachment: {
      id,
      filename: 'скриншот 1.png',
      contentType: 'image/png',
      size,
      sha256: createHash('sha256').update(data).digest('hex'),
    },
    file: { id, data },
  };
}

function makeMessage(
  ticketId: string,
  authorId: string,
  overrides: Partial<TicketMessage> = {},
): TicketMessage {
  return {
    id: newId('ticketMessage'),
    ticketId,
    authorId,
    side: 'merchant',
    body: 'Hello,\nthe terminal declines every card.',
    attachments: [],
    createdAt: at(0),
    ...overrides,
  };
}

export const ticketCases: ContractCase[] = [
  {
    name: 'tickets: create with the first message and files; get, thread and attachment bytes round-trip',
    async run({ store }) {
      const { merchant, owner } = await people(store);
      const ticket = makeTicket(merchant.id, owner.id, { paymentIds: ['pay_1', 'pay_2'] });
      const a = makeFile(300_000);
      const b = makeFile(1);
      const first = makeMessage(ticket.id, owner.id, { attachments: [a.attachment, b.attachment] });
      await store.tickets.create({ ticket, message: first, files: [a.file, b.file] });

      expect(await store.tickets.get({ id: ticket.id })).toEqual(ticket);
      expect(await store.tickets.get({ id: newId('ticket') })).toBeNull();
      expect(await store.tickets.listMessages({ ticketId: ticket.id })).toEqual([first]);

      const got = await store.tickets.getAttachment({ ticketId: ticket.id, attachmentId: a.attachment.id });
      expect(got?.attachment).toEqual(a.attachment);
      expect(got?.data).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(got?.data ?? []).equals(Buffer.from(a.file.data))).toBe(true);
      const small = await store.tickets.getAttachment({ ticketId: ticket.id, attachmentId: b.attachment.id });
      expect(Buffer.from(small?.data ?? []).equals(Buffer.from(b.file.data))).toBe(true);

      // Scoped by ticket: the right attachment id under another ticket is not found.
      const other = makeTicket(merchant.id, owner.id);
      await store.tickets.create({ ticket: other, message: makeMessage(other.id, owner.id), files: [] });
      expect(
        await store.tickets.getAttachment({ ticketId: other.id, attachmentId: a.attachment.id }),
      ).toBeNull();
    },
  },
  {
    name: 'tickets: addMessage appends and changes the ticket atomically, compare-and-set on version',
    async run({ store }) {
      const { merchant, owner, support } = await people(store);
      const ticket = makeTicket(merchant.id, owner.id);
      const first = makeMessage(ticket.id, owner.id);
      await store.tickets.create({ ticket, message: first, files: [] });

      const file = makeFile(2048);
      const reply = makeMessage(ticket.id, support.id, {
        side: 'support',
        body: 'Please send the terminal log.',
        attachments: [file.attachment],
        createdAt: at(5),
      });
      const changed = {
        ...ticket,
        status: 'waiting_for_merchant' as const,
        assigneeId: support.id,
        updatedAt: at(5),
      };
      const result = await store.tickets.addMessage({
        ticket: changed,
        expectedVersion: 1,
        message: reply,
        files: [file.file],
      });
      expect(result).toEqual({ ok: true, ticket: { ...changed, version: 2 } });

      // A writer that read version 1 loses, and writes nothing: no message, no attachment.
      const stale = makeFile(10);
      const lost = makeMessage(ticket.id, owner.id, { attachments: [stale.attachment], createdAt: at(6) });
      expect(
        await store.tickets.addMessage({
          ticket: { ...ticket, status: 'waiting_for_support', updatedAt: at(6) },
          expectedVersion: 1,
          message: lost,
          files: [stale.file],
        }),
      ).toEqual({ ok: false, reason: 'version_conflict' });
      expect(await store.tickets.listMessages({ ticketId: ticket.id })).toEqual([first, reply]);
      expect(
        await store.tickets.getAttachment({ ticketId: ticket.id, attachmentId: stale.attachment.id }),
      ).toBeNull();
      expect(await store.tickets.get({ id: ticket.id })).toEqual({ ...changed, version: 2 });

      // Of concurrent writers on one version, exactly one wins.
      const racers = await Promise.all(
        [1, 2, 3].map((n) =>
          store.tickets.addMessage({
            ticket: { ...changed, status: 'waiting_for_support', updatedAt: at(10 + n) },
            expectedVersion: 2,
            message: makeMessage(ticket.id, owner.id, { body: `racer ${n}`, createdAt: at(10 + n) }),
            files: [],
          }),
        ),
      );
      expect(racers.filter((r) => r.ok)).toHaveLength(1);
      expect(await store.tickets.listMessages({ ticketId: ticket.id })).toHaveLength(3);

      // update changes status and assignee only, with the same compare-and-set.
      const resolved = { ...changed, status: 'resolved' as const, assigneeId: null, updatedAt: at(20) };
      expect(await store.tickets.update({ ticket: resolved, expectedVersion: 2 })).toEqual({
        ok: false,
        reason: 'version_conflict',
      });
      const done = await store.tickets.update({
        ticket: { ...resolved, subject: 'ignored' },
        expectedVersion: 3,
      });
      expect(done).toEqual({ ok: true, ticket: { ...resolved, version: 4 } });
    },
  },
  {
    name: 'tickets: list newest first with a cursor, filtered by merchant, status, topic and assignee',
    async run({ store }) {
      const { merchant, owner, support } = await people(store);
      const other = await people(store);
      const made: Ticket[] = [];
      for (let i = 0; i < 5; i++) {
        const ticket = makeTicket(merchant.id, owner.id, {
          createdAt: at(i),
          status: i % 2 === 0 ? 'open' : 'resolved',
          topic: i === 4 ? 'security_risk' : 'other',
          assigneeId: i === 1 ? support.id : null,
        });
        await store.tickets.create({ ticket, message: makeMessage(ticket.id, owner.id), files: [] });
        made.push(ticket);
      }
      const foreign = makeTicket(other.merchant.id, other.owner.id, { createdAt: at(2) });
      await store.tickets.create({
        ticket: foreign,
        message: makeMessage(foreign.id, other.owner.id),
        files: [],
      });

      const ids = (page: { data: Ticket[] }) => page.data.map((t) => t.id);
      const newestFirst = [...made].reverse().map((t) => t.id);
      const page1 = await store.tickets.list({ merchantId: merchant.id, limit: 2 });
      expect(ids(page1)).toEqual(newestFirst.slice(0, 2));
      expect(page1.hasMore).toBe(true);
      const page2 = await store.tickets.list({
        merchantId: merchant.id,
        limit: 2,
        startingAfter: page1.data[1]?.id,
      });
      expect(ids(page2)).toEqual(newestFirst.slice(2, 4));
      const page3 = await store.tickets.list({
        merchantId: merchant.id,
        limit: 2,
        startingAfter: page2.data[1]?.id,
      });
      expect(ids(page3)).toEqual(newestFirst.slice(4));
      expect(page3.hasMore).toBe(false);

      const mine = (page: { data: Ticket[] }) => page.data.filter((t) => t.merchantId === merchant.id);
      expect(
        ids(await store.tickets.list({ merchantId: merchant.id, status: 'resolved', limit: 10 })),
      ).toEqual([made[3], made[1]].map((t) => t?.id));
      expect(
        ids(await store.tickets.list({ merchantId: merchant.id, topic: 'security_risk', limit: 10 })),
      ).toEqual([made[4]?.id]);
      expect(ids(await store.tickets.list({ assigneeId: support.id, limit: 10 }))).toEqual([made[1]?.id]);
      const unassigned = await store.tickets.list({ merchantId: merchant.id, assigneeId: null, limit: 10 });
      expect(ids(unassigned)).toEqual(newestFirst.filter((id) => id !== made[1]?.id));
      // Without a merchant (the back office): every merchant's tickets.
      const all = await store.tickets.list({ limit: 100 });
      expect(all.data.map((t) => t.id)).toContain(foreign.id);
      expect(mine(all)).toHaveLength(5);
    },
  },
];
