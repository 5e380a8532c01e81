import type { ApplicationStatus } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { type ApplicationAction, nextStatus } from '../../src/onboarding/application-state';

const STATUSES: ApplicationStatus[] = ['draft', 'submitted', 'changes_requested', 'approved', 'rejected'];
const ACTIONS: ApplicationAction[] = ['edit', 'submit', 'request_changes', 'approve', 'reject'];

/** Every allowed step; any pair not listed must be refused. */
const ALLOWED: Array<[ApplicationStatus, ApplicationAction, ApplicationStatus]> = [
  ['draft', 'edit', 'draft'],
  ['draft', 'submit', 'submitted'],
  ['changes_requested', 'edit', 'changes_requested'],
  ['changes_requested', 'submit', 'submitted'],
  ['submitted', 'request_changes', 'changes_requested'],
  ['submitted', 'approve', 'approved'],
  ['submitted', 'reject', 'rejected'],
];

describe('application state machine', () => {
  const cases = STATUSES.flatMap((from) =>
    ACTIONS.map((action) => {
      const allowed = ALLOWED.find(([f, a]) => f === from && a === action);
      return { from, action, to: allowed?.[2] ?? null };
    }),
  );

  it.each(cases)('$from --$action--> $to', ({ from, action, to }) => {
    if (to) {
      expect(nextStatus(from, action)).toBe(to);
      return;
    }
    expect(() => nextStatus(from, action)).toThrowError(
      expect.objectContaining({
        code: 'PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID',
        details: { status: from, action },
      }),
    );
  });

  it('makes approved and rejected final', () => {
    for (const from of ['approved', 'rejected'] as const) {
      for (const action of ACTIONS) expect(() => nextStatus(from, action)).toThrow();
    }
  });
});
