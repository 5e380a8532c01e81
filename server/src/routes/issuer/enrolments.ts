import { type IssuerEnrolment, isId, isPayrailError, newId, PayrailError } from '@payrail/core';
import { hashSecretCode, type ValidCard, validateCard } from '@payrail/plugin-cards';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/schemas/common';
import { issuerScopeOf } from '../../issuers/issuer-auth';
import {
  deletedSchema,
  enrolBody,
  enrolmentIdParams,
  enrolmentResource,
  enrolmentSchema,
  resetCodeBody,
} from './schemas';

/**
 * An issuer's enrolled cards: `POST /v1/issuer/enrolments`, `GET|DELETE /v1/issuer/enrolments/:id`,
 * `POST /v1/issuer/enrolments/:id/code`. The PAN goes into the card vault (sealed, bound to the enrolment
 * id) and the code into an argon2id hash; answers show brand, first 6 and last 4 only.
 */
export const issuerEnrolmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, clock } = app.services;
  const tags = ['issuer'];

  const notFound = (id: string) =>
    new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No enrolment ${id.slice(0, 64)}.` });

  function validate(card: { number: string; exp_month: number; exp_year: number }): ValidCard {
    try {
      return validateCard(
        // No CVC exists here: the issuer enrols the card, nobody is paying with it.
        { type: 'card', number: card.number, expMonth: card.exp_month, expYear: card.exp_year, cvc: '' },
        { now: clock.now(), requireCvc: false },
      );
    } catch (error) {
      // The validator names the card field; the issuer's body nests it under `card`.
      if (isPayrailError(error) && error.param) {
        throw new PayrailError(error.code, { param: `card.${error.param}`, message: error.message });
      }
      throw error;
    }
  }

  app.post(
    '/enrolments',
    {
      schema: {
        tags,
        summary: 'Enrol a card for payer authentication',
        description:
          'The card must lie in one of your IIN ranges of this mode. Paying with it then asks the buyer for `code`.',
        body: enrolBody,
        response: { 201: enrolmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const vault = app.services.vault;
      if (!vault) throw new PayrailError('PAYRAIL_ERR_VAULT_UNAVAILABLE');
      const scope = issuerScopeOf(request);
      const card = validate(request.body.card);
      const ranges = await store.issuers.rangesCovering({ pan: card.pan, mode: scope.mode });
      if (!ranges.some((r) => r.issuerId === scope.issuerId)) {
        throw new PayrailError('PAYRAIL_ERR_CARD_NOT_IN_RANGE', { param: 'card.number' });
      }
      const now = clock.now();
      const id = newId('enrolment', now.getTime());
      const sealed = vault.sealPan(card.pan, id);
      const enrolment: IssuerEnrolment = {
        id,
        ...scope,
        fingerprint: vault.fingerprintOf(card.pan),
        panCiphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        brand: card.brand,
        first6: card.pan.slice(0, 6),
        last4: card.pan.slice(-4),
        expMonth: card.expMonth,
        expYear: card.expYear,
        codeHash: await hashSecretCode(request.body.code),
        createdAt: now,
        updatedAt: now,
        unenrolledAt: null,
      };
      const result = await store.issuers.enrol({ enrolment });
      if (!result.ok) {
        throw new PayrailError('PAYRAIL_ERR_CARD_ALREADY_ENROLLED', {
          param: 'card.number',
          details: { enrolment_id: result.existing.id },
        });
      }
      request.log.info(
        { enrolmentId: id, brand: card.brand, last4: enrolment.last4 },
        'issuer: card enrolled',
      );
      return reply.code(201).send(enrolmentResource(result.enrolment));
    },
  );

  app.get(
    '/enrolments/:id',
    {
      schema: {
        tags,
        summary: 'Get an enrolment',
        params: enrolmentIdParams,
        response: { 200: enrolmentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const enrolment = isId('enrolment', id)
        ? await store.issuers.getEnrolment({ ...issuerScopeOf(request), id })
        : null;
      if (!enrolment) throw notFound(id);
      return enrolmentResource(enrolment);
    },
  );

  app.post(
    '/enrolments/:id/code',
    {
      schema: {
        tags,
        summary: 'Reset the secret code of an enrolled card',
        description: 'Challenges started after this use the new code.',
        params: enrolmentIdParams,
        body: resetCodeBody,
        response: { 200: enrolmentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isId('enrolment', id)) throw notFound(id);
      const codeHash = await hashSecretCode(request.body.code);
      const updated = await store.issuers.resetCode({
        ...issuerScopeOf(request),
        id,
        codeHash,
        now: clock.now(),
      });
      if (!updated) throw notFound(id);
      return enrolmentResource(updated);
    },
  );

  app.delete(
    '/enrolments/:id',
    {
      schema: {
        tags,
        summary: 'Unenrol a card',
        description:
          'The sealed card number is erased; paying with the card is then an `attempted` authentication.',
        params: enrolmentIdParams,
        response: { 200: deletedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const done =
        isId('enrolment', id) &&
        (await store.issuers.unenrol({ ...issuerScopeOf(request), id, now: clock.now() }));
      if (!done) throw notFound(id);
      return { id, object: 'enrolment', deleted: true as const };
    },
  );
};
