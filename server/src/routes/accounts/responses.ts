import { z } from 'zod';
import { errorResponses } from '../../http/schemas/common';

/**
 * Success bodies of the account API are plain JSON objects built by resource functions
 * (accounts/user-resource.ts); docs/accounts.md describes them field by field.
 */
const jsonObject = z.looseObject({});

export const ok200 = { 200: jsonObject, ...errorResponses };
export const ok201 = { 201: jsonObject, ...errorResponses };
export const ok202 = { 202: jsonObject, ...errorResponses };
