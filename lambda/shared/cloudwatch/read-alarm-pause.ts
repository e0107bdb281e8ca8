import { pausedBecause } from './firing-alarms';
import { parseAlarmArn } from '../../../src/contract';
import type { CallTrace } from '../call-trace';
import type { Clients } from '../clients';
import { AlarmReadTimeoutError, errorText } from '../errors';

import { describeAlarms } from './describe-alarms';
import { readAlarmMutes } from './read-alarm-mutes';

/** Whether an alarm's actions are paused, as far as a read could tell. */
export type AlarmPause =
  | { readonly state: 'ACTIVE' }
  | { readonly state: 'PAUSED'; readonly reason: string }
  /** Not read: the event path acts, and the record says why the switch is unknown. */
  | { readonly state: 'UNKNOWN'; readonly reason: string };

/**
 * Reads the event's alarm's actions switch for the event path. The event
 * itself is the evidence of the alarm's state; only the switch is unknown
 * when this read fails, so a failure, an alarm this function cannot read (in
 * another account or Region, such as a monitoring account's alarm whose
 * event was forwarded: DescribeAlarms reads its caller's own) or an answer
 * slower than `waitMs` leaves the event to act. An alarm known to be
 * elsewhere is not asked for at all. The wait keeps the read off the
 * critical path: it runs beside the deployment read and the duplicate check,
 * and the stop waits for it at most `waitMs`.
 */
export async function readAlarmPause(
  clients: Clients, trace: CallTrace, alarmArn: string, waitMs: number, ownAccount: string | undefined,
): Promise<AlarmPause> {
  const parts = parseAlarmArn(alarmArn);
  if (!parts) {
    return { state: 'UNKNOWN', reason: 'the alarm ARN could not be read' };
  }
  if (ownAccount !== undefined && parts.account !== ownAccount) {
    return { state: 'UNKNOWN', reason: `the alarm is in account ${parts.account}, whose alarms this function (account ${ownAccount}) cannot read` };
  }
  const startedAt = Date.now();
  try {
    // The wait counts from the call, so loading the client on a cold start spends it too.
    const client = await clients.cloudWatch();
    if (await client.config.region() !== parts.region) {
      return { state: 'UNKNOWN', reason: `the alarm is in ${parts.region}, where this function does not read alarms` };
    }
    const left = Math.max(0, waitMs - (Date.now() - startedAt));
    // The event says the alarm is in a trigger state, so its mute rules are
    // read beside the actions switch rather than after it.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), left);
    const describing = describeAlarms(client, trace, [parts.alarmName], left);
    const muting = readAlarmMutes(client, trace, parts.alarmName, abort.signal);
    muting.catch(() => undefined);
    describing.catch(() => undefined);
    try {
      const [alarm] = await describing;
      if (!alarm) {
        return { state: 'UNKNOWN', reason: 'DescribeAlarms did not return the alarm (another account, or deleted)' };
      }
      const pause = pausedBecause(alarm);
      if (pause !== undefined) {
        return { state: 'PAUSED', reason: pause };
      }
      const mutes = await muting.then((mutedBy) => ({ mutedBy }), (error: unknown) => ({ error: `ListAlarmMuteRules failed: ${errorText(error)}` }));
      if ('error' in mutes) {
        return { state: 'UNKNOWN', reason: mutes.error };
      }
      const muted = pausedBecause({ ...alarm, mutedBy: mutes.mutedBy });
      return muted === undefined ? { state: 'ACTIVE' } : { state: 'PAUSED', reason: muted };
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    const reason = error instanceof AlarmReadTimeoutError ? error.message : `DescribeAlarms failed: ${errorText(error)}`;
    return { state: 'UNKNOWN', reason };
  }
}
