import { Command, runCommand } from './command';
import { closest, parseFlags, UsageError } from './flags';
import { alarmStateChange } from '../simulate/alarm-event';
import { assemblyAlarms, findAssemblyAlarm } from '../simulate/assembly-alarms';
import { cloudWatchTimestamp, RELATIVE_TIME_FIELD } from '../simulate/event-file';
import { resolveAssembly } from '../simulate/resolve-assembly';

const usage = 'usage: cdk-alarm-rollback event --assembly cdk.out --alarm NAME_OR_ARN [--state ALARM] [--previous-state OK] [--minutes-ago 0] [--absolute-time]';

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
type AlarmState = typeof STATES[number];

/** `event`: a CloudWatch Alarm State Change event for an alarm of the assembly, ready for `simulate --event`. */
export const eventCommand: Command = {
  usage,
  help: `${usage}

Prints a CloudWatch "Alarm State Change" event, shaped as EventBridge
delivers it, for an alarm of your synthesized app: a fresh UUID id, the
alarm's ARN, account and region as the deployed stack would have them, its
configuration (metrics, or a composite alarm's rule), and its tags in
detail.alarmTags when its tag propagation is on. Save it and pass it to
\`simulate --event\`.

  --assembly DIR      the cloud assembly \`cdk synth\` writes (cdk.out)
  --alarm NAME|ARN    an alarm the stacks create or a rule watches: its name
                      or its ARN (as the simulate timeline lists them). An
                      alarm of another account or Region gets that account
                      and Region (from its ARN), so the event arrives on that
                      account's default bus, as CloudWatch sends it.
  --state STATE       ALARM (default), OK or INSUFFICIENT_DATA
  --previous-state S  the state before (default OK for ALARM, else ALARM)
  --minutes-ago N     when the alarm changed state: N minutes before the
                      simulation starts (default 0), written as
                      "timeMinutesAgo", so the file gives the same result
                      whenever it is run
  --absolute-time     write "time" (and the alarm's timestamps) as N minutes
                      before now instead: the event then ages with the file
`,
  run: (args, io) => runCommand('event', io, async () => {
    const { values } = parseFlags(args, {
      'assembly': { type: 'string' },
      'alarm': { type: 'string' },
      'state': { type: 'string' },
      'previous-state': { type: 'string' },
      'minutes-ago': { type: 'string' },
      'absolute-time': { type: 'boolean' },
    }, usage);
    if (!values.assembly) throw new UsageError(`event needs --assembly (the cdk.out folder of \`cdk synth\`); ${usage}`);
    if (!values.alarm) throw new UsageError(`event needs --alarm (an alarm name or ARN of the assembly); ${usage}`);
    const state = alarmState(values.state ?? 'ALARM', '--state');
    const previousState = values['previous-state'] === undefined ? undefined : alarmState(values['previous-state'], '--previous-state');
    const minutesAgo = Number(values['minutes-ago'] ?? 0);
    if (!Number.isFinite(minutesAgo) || minutesAgo < 0 || values['minutes-ago']?.trim() === '') {
      throw new UsageError(`--minutes-ago "${values['minutes-ago']}" must be a number of zero or more (minutes before the simulation starts, or before now with --absolute-time)`);
    }

    const alarm = findAssemblyAlarm(assemblyAlarms(resolveAssembly(values.assembly)), values.alarm, closest);
    const time = new Date(Date.now() - minutesAgo * 60_000);
    const absolute = values['absolute-time'] === true;
    const event = alarmStateChange({
      alarmArn: alarm.arn,
      state,
      previousState,
      time: time.toISOString().replace(/\.\d+Z$/, 'Z'),
      configuration: alarm.configuration,
      // Present when the alarm's tag propagation is on, as CloudWatch sends them (what tag-routed targets match).
      ...(alarm.alarmTags ? { alarmTags: { ...alarm.alarmTags } } : {}),
      ...stateReason(alarm, state, absolute ? time : undefined),
    });
    io.stdout(`${JSON.stringify(absolute ? event : relativeTo(event, minutesAgo), null, 2)}\n`);
  }),
};

function alarmState(value: string, flag: string): AlarmState {
  const upper = value.toUpperCase();
  if ((STATES as readonly string[]).includes(upper)) return upper as AlarmState;
  const near = closest(upper, STATES);
  throw new UsageError(`${flag} "${value}" is not an alarm state: use ${STATES.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
}

/**
 * The event with `timeMinutesAgo` in place of `time`, and without the
 * alarm's timestamps: `simulate` stamps `time` and `detail.state.timestamp`
 * when it reads the file (see readEventFile), so nothing in the file is a
 * date that passes.
 */
function relativeTo(event: Record<string, any>, minutesAgo: number): Record<string, unknown> {
  const { timestamp: _stateTimestamp, ...state } = event.detail.state;
  const { timestamp: _previousTimestamp, ...previousState } = event.detail.previousState;
  return Object.fromEntries(Object.entries({ ...event, detail: { ...event.detail, state, previousState } })
    .map(([key, value]) => (key === 'time' ? [RELATIVE_TIME_FIELD, minutesAgo] : [key, value])));
}

/**
 * The reason and reasonData CloudWatch would give, in their documented
 * shapes ("Alarm events and EventBridge", Amazon CloudWatch User Guide): a
 * composite alarm names its triggering alarms, a metric alarm its evaluation.
 * The values are placeholders; the handler records the reason, it does not
 * act on it. Without a time (a relative event) the metric alarm's reasonData
 * leaves out its dates, which would otherwise be the one absolute time left.
 */
function stateReason(alarm: { readonly composite: boolean; readonly arn: string }, state: AlarmState, time: Date | undefined) {
  if (alarm.composite) {
    return {
      reason: `simulated: ${alarm.arn} set to ${state} by cdk-alarm-rollback event`,
      reasonData: JSON.stringify({ triggeringAlarms: [] }),
    };
  }
  const stamp = time === undefined ? undefined : cloudWatchTimestamp(time);
  return {
    reason: `Threshold Crossed: simulated by cdk-alarm-rollback event (${state})`,
    reasonData: JSON.stringify({ version: '1.0', ...(stamp ? { queryDate: stamp, startDate: stamp } : {}), evaluatedDatapoints: [] }),
  };
}
