import type { AccessRequest, IpcError, NodeConfigDeviation, QueuedWrite } from '../../../contract';
import { describeAccess, REVOCATION_REASON_TEXT, unverifiedNote } from './format';

function audienceOf(access: AccessRequest): string {
  return describeAccess(access.model, access.groups, access.allow);
}

/** A write waiting for the connection, in a few words: "Publish key 0123abcd…", "Remove romeo@… from your contacts". */
export function describeQueuedWrite(action: QueuedWrite): string {
  switch (action.kind) {
    case 'publish':
      return `Publish key ${action.fingerprint.slice(0, 16)}… for ${describeAccess(action.access.model, action.access.groups, action.access.allow)}`;
    case 'retract':
      return `Retract key ${action.fingerprint.slice(0, 16)}…`;
    case 'revoke':
      return `Revoke key ${action.fingerprint.slice(0, 16)}… (${REVOCATION_REASON_TEXT[action.reason]})`;
    case 'profile-publish':
      return `Publish your profile for ${describeAccess(action.access.model, action.access.groups, action.access.allow)}`;
    case 'roster-add':
      return `Add ${action.jid} to your contacts${action.groups.length ? ` (${action.groups.join(', ')})` : ''}`;
    case 'roster-groups':
      return action.groups.length ? `Put ${action.jid} in ${action.groups.join(', ')}` : `Take ${action.jid} out of every group`;
    case 'roster-remove':
      return `Remove ${action.jid} from your contacts`;
  }
}

/** The Activity line for a write the user asked for while offline: their own doing, waiting, not an alarm. */
export function queuedWriteLine(action: QueuedWrite): { kind: 'waiting'; text: string } {
  return { kind: 'waiting', text: `Waiting for the connection: ${describeQueuedWrite(action)}` };
}

/** What the activity log says once a queued write ran: "Queued publish done". */
export function queuedWriteName(action: QueuedWrite): string {
  switch (action.kind) {
    case 'publish':
    case 'retract':
    case 'revoke':
      return `Queued ${action.kind}`;
    case 'profile-publish':
      return 'Queued profile publish';
    case 'roster-add':
      return `Queued add of ${action.jid}`;
    case 'roster-groups':
      return `Queued group change of ${action.jid}`;
    case 'roster-remove':
      return `Queued removal of ${action.jid}`;
  }
}

/** The key or address a queued write is about, for the activity log. */
export function queuedWriteSubject(action: QueuedWrite): string | undefined {
  return 'fingerprint' in action ? action.fingerprint : 'jid' in action ? action.jid : undefined;
}

/**
 * The Activity line for a queued write that ran: done, not done (and why), or failed with main's words
 * and what to do. A revoke whose statement was held back did revoke the key here: not called "failed".
 */
export function queuedOutcomeLine(outcome: { action: QueuedWrite; ok: boolean; error?: IpcError; skipped?: string; deviations?: NodeConfigDeviation[] }): string {
  const what = queuedWriteName(outcome.action);
  if (outcome.skipped) return `${what} not done: ${outcome.skipped}`;
  // A publish says for whom, as a direct one does ("Published your key" with its audience); and, as a
  // direct one does, that the server would not show it back when it would not.
  if (outcome.ok) return `${'access' in outcome.action ? `${what} done, for ${audienceOf(outcome.action.access)}` : `${what} done`}${unverifiedNote(outcome.deviations)}`;
  const said = [outcome.error?.message ?? 'unknown error', outcome.error?.nextStep].filter(Boolean).join(' ');
  return outcome.error?.code === 'revocation-held-back' ? `${what}: ${said}` : `${what} failed: ${said}`;
}

/**
 * What each key's card says of the last write queued for it while offline that failed when it ran
 * (fingerprint → the Activity line): Activity alone was not seen (the user walk: the card said only
 * "Not published"). A later write of that key that went through, queued or not, takes it off.
 */
export function queuedFailuresAfter(
  failures: Readonly<Record<string, string>>,
  outcome: { action: QueuedWrite; ok: boolean; error?: IpcError; skipped?: string },
): Record<string, string> {
  if (!('fingerprint' in outcome.action)) return { ...failures };
  const { [outcome.action.fingerprint]: _earlier, ...others } = failures;
  if (outcome.ok || outcome.skipped) return others;
  return { ...others, [outcome.action.fingerprint]: queuedOutcomeLine(outcome) };
}
