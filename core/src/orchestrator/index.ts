export { antifraudPaymentView, assessRisk } from './antifraud';
export * from './orchestrator';
export { planOutcome } from './outcome';
export { routePayment } from './routing';
export * from './self-time';
export { routesOf, shopForPayment } from './shop-routing';
export * from './types';
