import { type ApplicationStatus, PayrailError } from '@payrail/core';

/** What can happen to an application, and who does it. */
export type ApplicationAction = 'edit' | 'submit' | 'request_changes' | 'approve' | 'reject';

/**
 * The state machine of a live-account application (issue 9):
 * `draft → submitted → changes_requested → submitted … → approved | rejected`. The merchant edits and
 * submits; PSP staff review a submitted one. Approved and rejected are final.
 */
export const APPLICATION_TRANSITIONS: Readonly<
  Record<ApplicationAction, Partial<Record<ApplicationStatus, ApplicationStatus>>>
> = {
  edit: { draft: 'draft', changes_requested: 'changes_requested' },
  submit: { draft: 'submitted', changes_requested: 'submitted' },
  request_changes: { submitted: 'changes_requested' },
  approve: { submitted: 'approved' },
  reject: { submitted: 'rejected' },
};

/** The status after `action`, or 409 PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID when `from` does not allow it. */
export function nextStatus(from: ApplicationStatus, action: ApplicationAction): ApplicationStatus {
  const to = APPLICATION_TRANSITIONS[action][from];
  if (to === undefined) {
    throw new PayrailError('PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID', {
      message: `An application that is ${from} cannot be ${ACTION_PAST[action]}.`,
      details: { status: from, action },
    });
  }
  return to;
}

const ACTION_PAST: Record<ApplicationAction, string> = {
  edit: 'edited',
  submit: 'submitted',
  request_changes: 'sent back for changes',
  approve: 'approved',
  reject: 'rejected',
};
