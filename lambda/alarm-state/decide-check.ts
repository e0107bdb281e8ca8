import type { CheckPoint } from './parse-extension-payload';
import { AlarmReadFailure, AlarmStateCheckResult } from '../../src/contract';
import type { AlarmRead } from '../shared/cloudwatch/read-target-alarms';

export { AlarmStateCheckResult };


/** What one check calls for. */
export type CheckAction =
  /** Let the deployment go on (a tick answers CONTINUE, a start is allowed). */
  | { readonly kind: 'CONTINUE'; readonly result: AlarmStateCheckResult; readonly note?: string; readonly missing?: string[] }
  /** At a tick: take the deployment's claim and answer ROLL_BACK. */
  | { readonly kind: 'ROLL_BACK'; readonly result: AlarmStateCheckResult; readonly reason: string; readonly firing: string[] }
  /** At a start: refuse it. */
  | { readonly kind: 'BLOCK'; readonly result: AlarmStateCheckResult; readonly reason: string; readonly firing: string[] };

/**
 * The decision of one check, pure so that each row is tested alone. A read
 * failure goes by the policy, as CodeDeploy's `ignorePollAlarmFailure` does:
 * ROLL_BACK (the default) stops a rollout, or refuses a start, when the
 * alarms cannot be read; CONTINUE lets it go on.
 */
export function decideCheck(point: CheckPoint, read: AlarmRead | undefined, policy: AlarmReadFailure, blockStart: boolean): CheckAction {
  if (point === 'START' && !blockStart) {
    return { kind: 'CONTINUE', result: AlarmStateCheckResult.NOT_CHECKED, note: 'blockStart is off: a start is never refused' };
  }
  const stop = point === 'TICK' ? 'ROLL_BACK' : 'BLOCK';
  if (read === undefined || !read.ok) {
    const error = read === undefined ? 'the alarms were not read' : read.error;
    if (policy === AlarmReadFailure.CONTINUE) {
      return { kind: 'CONTINUE', result: AlarmStateCheckResult.UNREADABLE, note: `the alarms could not be read (${error}); the read-failure policy is CONTINUE` };
    }
    return { kind: stop, result: AlarmStateCheckResult.UNREADABLE, firing: [], reason: `the alarms could not be read (${error}); the read-failure policy is ROLL_BACK` };
  }
  const { firing, paused, missing } = read.verdict;
  if (firing.length === 0) {
    // An alarm DescribeAlarms does not return (deleted, or renamed by hand) has
    // no state to act on: the deployment goes on, and the result says MISSING,
    // not OK, so the gap is recorded, counted and watched.
    const parts = [
      ...paused.length > 0 ? [`paused: ${paused.join(', ')}`] : [],
      ...missing.length > 0 ? [`not found: ${missing.join(', ')}`] : [],
      ...read.elsewhere.length > 0 ? [`left to the event path (another account or region): ${read.elsewhere.join(', ')}`] : [],
    ];
    const result = missing.length > 0 ? AlarmStateCheckResult.MISSING : AlarmStateCheckResult.OK;
    return { kind: 'CONTINUE', result, note: parts.length > 0 ? `no alarm fires; ${parts.join('; ')}` : undefined, missing };
  }
  const what = point === 'TICK' ? 'during the deployment' : 'when the deployment was to start';
  return { kind: stop, result: AlarmStateCheckResult.FIRING, firing, reason: `${list(firing)} ${firing.length === 1 ? 'was' : 'were'} in a trigger state ${what}` };
}

function list(names: string[]): string {
  return names.length === 1 ? `alarm ${names[0]}` : `alarms ${names.join(', ')}`;
}
