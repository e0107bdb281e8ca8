import { AlarmReadFailure, CLOUDFORMATION_SOURCE, PROTON_SOURCE, RollbackOutcome, Rules, TargetInput, TargetKind } from '../../src/contract';
import { AcceptedInput, AlarmEvent, readAlarmEvent, readEnvelope } from '../shared/wire/alarm-event';
import { describe, field, isRecord } from '../shared/wire/fields';
import { readRuleInput } from '../shared/wire/rule-input';
import { parseStackStatusEvent } from '../targets/cloudformation-stack/parse-stack-status-event';
import type { DeploymentStartInput } from '../targets/deployment-start';
import { parseStatusEvent } from '../targets/proton-environment/parse-status-event';

export type { AcceptedInput, AlarmEvent };

/** An input that asks for nothing: recorded with its reason, never retried. */
export interface RefusedInput {
  readonly ok: false;
  readonly outcome: RollbackOutcome.IGNORED | RollbackOutcome.REJECTED;
  readonly reason: string;
  readonly target?: TargetInput;
  readonly targetName?: string;
  readonly event: Partial<AlarmEvent>;
}

export type ParsedInput = AcceptedInput | DeploymentStartInput | RefusedInput;

/**
 * Validates the rule input and the event inside it, with the one reader of
 * each wire shape (`shared/wire/`), then checks that the alarm is one the
 * target acts on. Nothing here trusts the shape of its input.
 */
export function parseRollbackInput(input: unknown): ParsedInput {
  const rule = readRuleInput(input);
  if (!rule.ok) {
    return { ok: false, outcome: RollbackOutcome.REJECTED, reason: rule.reason, event: {} };
  }
  return parseEvent(rule.event, rule.target);
}

function parseEvent(raw: unknown, target: TargetInput): ParsedInput {
  const refuse = (outcome: RefusedInput['outcome'], reason: string, event: Partial<AlarmEvent> = {}): RefusedInput =>
    ({ ok: false, outcome, reason, target, event });

  const seen = readEnvelope(raw);
  if ('ok' in seen) {
    return refuse(seen.outcome, seen.reason, seen.event);
  }
  const envelope = raw as Record<string, unknown>;
  if (field(envelope, 'source') === PROTON_SOURCE && target.kind === TargetKind.PROTON_ENVIRONMENT) {
    // The start check reads the alarms the input lists; the construct makes
    // no start rule for a target watched by tags only.
    if (target.alarmArns.length === 0) {
      return refuse(RollbackOutcome.REJECTED, `target ${target.name} lists no alarm for the deployment-start check to read; only alarm events act for a target watched by tags`, seen);
    }
    const status = parseStatusEvent(envelope, target, seen);
    return status.ok
      ? { ok: true, target, start: { ...seen, what: `a deployment of environment ${status.event.environmentName}` } }
      : refuse(status.outcome, status.reason, seen);
  }
  if (field(envelope, 'source') === CLOUDFORMATION_SOURCE && target.kind === TargetKind.CLOUDFORMATION_STACK) {
    // The start gate (blockDeploymentsWhileAlarming) reads the alarms the
    // input lists; the construct makes no start rule for a target watched by
    // tags only.
    if (target.alarmArns.length === 0) {
      return refuse(RollbackOutcome.REJECTED, `target ${target.name} lists no alarm for the start gate to read; only alarm events act for a target watched by tags`, seen);
    }
    const status = parseStackStatusEvent(envelope, target, seen);
    return status.ok
      ? {
        ok: true,
        target,
        start: { ...seen, what: `an update of stack ${status.event.stackName}` },
        // A rule input written without the policy (an older construct) gets the AlarmRollback's default.
        alarmReadFailure: target.alarmReadFailure ?? AlarmReadFailure.ROLL_BACK,
      }
      : refuse(status.outcome, status.reason, seen);
  }
  const read = readAlarmEvent(envelope, seen);
  if (!read.ok) {
    return refuse(read.outcome, read.reason, read.event);
  }
  const { event, detail, state } = read;
  const { alarmArn: arn, state: value } = event;
  if (!target.triggerStates.includes(value)) {
    return refuse(RollbackOutcome.IGNORED, `the alarm entered ${describe(value)}; target ${target.name} acts on ${target.triggerStates.join(' and ')} only`, event);
  }
  if (!target.alarmArns.includes(arn)) {
    if (!target.alarmTags) {
      return refuse(RollbackOutcome.REJECTED, `alarm ${arn} is not one of the alarms of target ${target.name}; check the rule's event pattern`, event);
    }
    const mismatch = tagMismatch(detail, target.alarmTags);
    if (mismatch) {
      return refuse(RollbackOutcome.REJECTED, `alarm ${arn} is not one of the alarms of target ${target.name}: ${mismatch}`, event);
    }
  }
  // A composite alarm whose actions are suppressed says so in its event
  // (`detail.state.actionsSuppressedBy`, CloudWatch User Guide, "Alarm events
  // and EventBridge"); it runs none of its actions, and neither do we unless
  // the target acts on paused alarms. When the suppression ends CloudWatch
  // sends an ALARM -> ALARM event without it, which acts like any other.
  const suppressedBy = field(state, 'actionsSuppressedBy');
  if (suppressedBy !== undefined && suppressedBy !== null && !target.actOnPausedAlarms) {
    const why = field(state, 'actionsSuppressedReason');
    const because = typeof why === 'string' ? `: ${why.slice(0, Rules.MAX_STATE_REASON_LENGTH)}` : '';
    return refuse(RollbackOutcome.IGNORED, `the alarm's actions are suppressed by ${describe(suppressedBy)}${because}; target ${target.name} does not act on paused alarms`, event);
  }
  return { ok: true, target, event };
}

/**
 * Why an event's alarm tags do not make the alarm one of the target's, or
 * undefined when `detail.alarmTags` holds every one of the target's tags with
 * exactly its value. CloudWatch puts the tags there only for an alarm with
 * tag propagation on, and says in `detail.alarmTagsStatus` whether it could
 * read them ("Alarm events and EventBridge" and "Alarm tags in action
 * payloads", CloudWatch User Guide); a status other than SUCCESS is named in
 * the reason, since it explains a missing tag.
 */
function tagMismatch(detail: Record<string, unknown>, wanted: Record<string, string>): string | undefined {
  const status = field(detail, 'alarmTagsStatus');
  const because = status !== undefined && status !== 'SUCCESS' ? ` (the event's detail.alarmTagsStatus is ${describe(status)})` : '';
  const tags = field(detail, 'alarmTags');
  if (!isRecord(tags)) {
    return `the event carries no detail.alarmTags${because}, and the target routes by tags ${describe(wanted)}; turn on the alarm's tag propagation (AlarmTagPropagation)`;
  }
  const wrong = Object.entries(wanted).flatMap(([key, value]) => {
    const actual = field(tags, key);
    if (actual === undefined) return [`tag ${describe(key)} is missing`];
    return actual === value ? [] : [`tag ${describe(key)} is ${describe(actual)}, not ${describe(value)}`];
  });
  if (wrong.length === 0) {
    return undefined;
  }
  return `${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? `, and ${wrong.length - 3} more` : ''}${because}`;
}
