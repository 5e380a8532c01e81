export { antifraudPaymentView, assessRisk } from './antifraud';
export * from './orchestrator';
export { planOutcome } from './outcome';
export { routePayment } from './routing';
export * from './types';
