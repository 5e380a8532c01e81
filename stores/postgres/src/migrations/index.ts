import { initialSchema } from './0001-initial-schema';
import { webhooksJobsSchema } from './0002-webhooks-jobs';
import { storedCardsSchema } from './0003-stored-cards';
import { accountsSchema } from './0004-accounts';
import { antifraudSchema } from './0005-antifraud';
import { reportsSchema } from './0006-reports';
import { idempotencyResourceSchema } from './0007-idempotency-resource';
import { issuersSchema } from './0008-issuers';
import { onboardingSchema } from './0009-onboarding';
import { shopsSchema } from './0010-shops';
import { ticketsSchema } from './0011-tickets';
import { buyerContactIndexSchema } from './0012-buyer-contact-index';
import { paymentClientSchema } from './0013-payment-client';
import { pendingRefundsSchema } from './0014-pending-refunds';
import { notificationsSchema } from './0016-notifications';
import { buyerContactsShopWebhooksSchema } from './0017-buyer-contacts-shop-webhooks';
import { reportRollupsSchema } from './0018-report-rollups';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, oldest first. Add a file per change; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  webhooksJobsSchema,
  storedCardsSchema,
  accountsSchema,
  antifraudSchema,
  reportsSchema,
  idempotencyResourceSchema,
  issuersSchema,
  onboardingSchema,
  shopsSchema,
  ticketsSchema,
  buyerContactIndexSchema,
  paymentClientSchema,
  pendingRefundsSchema,
  notificationsSchema,
  buyerContactsShopWebhooksSchema,
  reportRollupsSchema,
];
