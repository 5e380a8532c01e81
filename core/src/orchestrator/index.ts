export * from './types';
export * from './orchestrator';
export { planOutcome } from './outcome';
export { assessRisk } from './antifraud';
export { routePayment } from './routing';
