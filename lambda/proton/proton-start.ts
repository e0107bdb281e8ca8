import { parseAlarmArn } from '../../src/contract';
import { DEFAULT_ALARM_READ_BUDGET_MS } from '../alarm-state/alarm-state-config';
import { readTargetAlarms } from '../alarm-state/read-target-alarms';
import { CallTrace } from '../call-trace';
import type { Clients } from '../clients';
import type { AcceptedInput, ProtonStartInput } from '../parse-rollback-input';

/** What the start check found. */
export type ProtonStartCheck =
  /** No alarm fires: the deployment goes on, and only the check metric is written. */
  | { readonly kind: 'QUIET'; readonly note?: string; readonly calls: string[] }
  /** An alarm fires: the input to cancel the deployment through the same claim as an alarm event. */
  | { readonly kind: 'CANCEL'; readonly input: AcceptedInput; readonly alarmsFiring: string[]; readonly calls: string[] };

/**
 * A Proton environment went IN_PROGRESS: reads the target's alarms, and when
 * one fires hands the deployment to the alarm path's runner, which cancels it
 * through the per-deployment claim, so an alarm event and this check make one
 * cancel between them. A failed read is thrown: Lambda retries the event.
 */
export async function checkProtonStart(parsed: ProtonStartInput, clients: Clients, now: () => number): Promise<ProtonStartCheck> {
  const { target, start } = parsed;
  const trace = new CallTrace();
  const client = await clients.cloudWatch();
  // On the event path a failed read is thrown and Lambda retries the event, so
  // the budget only bounds one attempt: the alarm-state check's default, for
  // the same reason.
  const place = { region: await client.config.region() };
  const read = await readTargetAlarms(client, trace, target.alarmArns, target, place, DEFAULT_ALARM_READ_BUDGET_MS);
  if (!read.ok) {
    throw new Error(`the alarms of target ${target.name} could not be read at the start of a deployment of environment ${start.environmentName}: ${read.error}`);
  }
  const { firing, paused } = read.verdict;
  if (firing.length === 0) {
    return { kind: 'QUIET', calls: trace.list(), note: paused.length > 0 ? `no alarm fires; paused: ${paused.join(', ')}` : undefined };
  }
  const arn = target.alarmArns.find((candidate) => parseAlarmArn(candidate)?.alarmName === firing[0]) as string;
  return {
    kind: 'CANCEL',
    alarmsFiring: firing,
    calls: trace.list(),
    input: {
      ok: true,
      // Paused alarms were left out above; the runner need not read the switch again.
      target: { ...target, actOnPausedAlarms: true },
      event: {
        id: start.id,
        time: start.time,
        alarmArn: arn,
        alarmName: firing[0],
        state: 'firing',
        // The alarm fires now, so the deployment that just started is what it is evidence against.
        alarmAt: now(),
        alarmAtSource: 'time',
      },
    },
  };
}
