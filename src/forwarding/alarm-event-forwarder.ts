import { Duration, Resource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmStateValue, Rules } from '../contract';
import { alarmHome, alarmKey, alarmLabel, resolvedArnKey } from './alarm-keys';
import { addForwardingRules } from './forwarding-rules';
import { AlarmWatcher, watchersIn } from './watched-alarms';
import { watch } from '../monitoring/watcher-alarms';
import { checkAlarmArn, checkAlarmTags } from '../private/alarm-checks';
import { prefixedRuleArns, rulePrefix } from '../private/rule-delivery';
import { eventBridgeRulePrincipal } from '../private/service-trust';
import { describeValue, isLiteral, validationError } from '../private/validate';
import { TriggerOn } from '../trigger-on';

const DEAD_LETTER_RETENTION = Duration.days(14);

/** Properties of an `AlarmEventForwarder`. */
export interface AlarmEventForwarderProps {
  /**
   * The rollback's event bus, in the account and Region of the
   * `AlarmRollback` that acts on the alarms: usually
   * `events.EventBus.fromEventBusArn(this, 'RollbackBus', 'arn:aws:events:<region>:<account>:event-bus/<name>')`.
   * Its account and Region must be known at synth time. It must be the bus
   * the rollback's rules are on: EventBridge does not send an event on a
   * second time, so a relay (such as the default bus of an account whose
   * AlarmRollback uses a custom bus) drops it. The bus's policy must admit
   * this account (`AlarmRollback`'s `alarmSources`).
   */
  readonly eventBus: events.IEventBus;

  /**
   * Alarms whose state-change events are forwarded. They must live in this
   * stack's account and Region: CloudWatch puts an alarm's events on the
   * default bus of the alarm's own account and Region only.
   *
   * @default - none; give `alarms`, `alarmTags` or both
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Forwards the events of every alarm in this account and Region whose
   * propagated tags (`detail.alarmTags`) hold each of these keys with exactly
   * this value, including alarms created later. The alarms need tag
   * propagation turned on (`AlarmTagPropagation`).
   *
   * @default - none; give `alarms`, `alarmTags` or both
   */
  readonly alarmTags?: { [key: string]: string };

  /**
   * Which alarm states are forwarded: only those the rollback acts on. Use
   * the `triggerOn` of the targets that watch these alarms.
   *
   * @default TriggerOn.ALARM
   */
  readonly triggerOn?: TriggerOn;

  /**
   * Actions of the alarm on the dead-letter queue (`deadLetterAlarm`), for
   * example `new actions.SnsAction(topic)`: a dead-lettered event is an alarm
   * that rolled nothing back.
   *
   * @default - none; add actions to `deadLetterAlarm`, or no one hears of lost events
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * A customer managed KMS key that encrypts the dead-letter queue. For a key
   * defined in this app, its policy is given the statement EventBridge needs
   * to send to the queue (`events.amazonaws.com`: `kms:GenerateDataKey` and
   * `kms:Decrypt`); for an imported key, synth warns with the statement to add.
   *
   * @default - SSE-SQS, the queue's encryption with keys that SQS owns
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Forwards CloudWatch alarm state-change events from the default event bus
 * of this stack's account and Region to an `AlarmRollback`'s event bus in
 * another account or Region (a monitoring account, or a second Region of the
 * workload).
 *
 * Creates EventBridge rules on this stack's default bus that match exactly
 * the given alarms (and tag set) in the states that act, each targeting the
 * rollback's bus with one role (`events:PutEvents` on that bus only) and a
 * dead-letter queue for events EventBridge could not put there. The event
 * arrives unchanged: EventBridge allows no input transformation on a
 * cross-account event-bus target (PutTargets, EventBridge API reference), and
 * the handler checks the alarm's account and Region against the event's.
 *
 * No retry policy is set: the EventBridge User Guide documents retry
 * policies for targets without saying whether event-bus targets honour them,
 * and aws-cdk-lib leaves them out of its own event-bus target; EventBridge's
 * default (24 hours, 185 attempts) applies, and what still fails is in
 * `deadLetterQueue`.
 *
 * When an `AlarmRollback` in the same app uses the bus, every forwarded alarm
 * and tag set must be watched by one of its targets in every forwarded
 * state, or synthesis fails: nothing is forwarded that the rollback does not
 * act on.
 *
 * @example
 * // In a stack of the monitoring account 222222222222, Region eu-west-1:
 * declare const checkoutErrors: cloudwatch.IAlarm;
 * new AlarmEventForwarder(this, 'ToCheckoutRollback', {
 *   eventBus: events.EventBus.fromEventBusArn(this, 'RollbackBus',
 *     'arn:aws:events:eu-west-1:111111111111:event-bus/rollback'),
 *   alarms: [checkoutErrors],
 * });
 */
export class AlarmEventForwarder extends Construct {
  /** The forwarding rules, on this stack's default bus: alarms by ARN first, then the tag set. */
  public readonly rules: events.IRule[];

  /** The role EventBridge assumes to put the events on the rollback's bus: `events:PutEvents` on that bus only. */
  public readonly role: iam.IRole;

  /**
   * Events EventBridge could not put on the rollback's bus (for example
   * refused by its policy: error code CROSS_ACCOUNT_INGESTION_FAILED).
   * Encrypted, TLS only, kept 14 days; only these rules may send to it.
   */
  public readonly deadLetterQueue: sqs.IQueue;

  /**
   * Fires when an event is in the dead-letter queue: an alarm state change
   * that never reached the rollback. It carries the actions of
   * `alarmActions`.
   */
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  private readonly bus: BusIdentity;
  private readonly alarmKeys: Array<{ readonly key: string; readonly label: string }>;
  private readonly alarmTags?: Record<string, string>;
  private readonly triggerStates: string[];

  constructor(scope: Construct, id: string, props: AlarmEventForwarderProps) {
    super(scope, id);
    const alarms = props.alarms ?? [];
    const tags = checkAlarmTags(this, props.alarmTags, {
      maxTags: Rules.MAX_TAGS_PER_ALARM,
      maxTagsReason: `an alarm carries at most ${Rules.MAX_TAGS_PER_ALARM} tags, so no alarm would match`,
      tokenValues: true,
      emptyIsNone: true,
    });
    if (alarms.length === 0 && tags === undefined) {
      throw validationError(this, 'AlarmEventForwarder was given no alarms and no alarmTags, so it would forward nothing',
        'Pass the alarms to forward in alarms, or the tags that mark them in alarmTags');
    }
    this.bus = this.checkBus(props.eventBus);
    const alarmArns = this.checkAlarms(alarms);
    this.alarmKeys = alarms.map((alarm, index) => ({ key: alarmKey(alarm), label: alarmLabel(alarm, index) }));
    this.alarmTags = tags;
    this.triggerStates = (props.triggerOn ?? TriggerOn.ALARM) === TriggerOn.ALARM_OR_INSUFFICIENT_DATA
      ? [AlarmStateValue.ALARM, AlarmStateValue.INSUFFICIENT_DATA]
      : [AlarmStateValue.ALARM];

    const namePrefix = rulePrefix(this);
    this.role = new iam.Role(this, 'Role', {
      // Only this forwarder's rules, on this stack's default bus, may use the role.
      assumedBy: eventBridgeRulePrincipal(this, prefixedRuleArns(this, namePrefix)),
      description: `Puts the alarm events of ${this.node.path} on the rollback event bus in ${this.bus.account} ${this.bus.region}`.slice(0, 1000),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey, enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION });
    const forwarding = addForwardingRules(this, {
      destination: props.eventBus,
      alarmArns,
      alarmTagSets: tags === undefined ? [] : [tags],
      triggerStates: this.triggerStates,
      role: this.role,
      deadLetterQueue: this.deadLetterQueue,
      namePrefix,
      purpose: `to the rollback event bus ${this.bus.label} (${this.bus.account}, ${this.bus.region})`,
    });
    this.rules = forwarding.rules;
    this.deadLetterAlarm = watch(this, 'DeadLetterQueueAlarm', this.metricDeadLettered({ period: Duration.minutes(1) }),
      `Alarm events forwarded by ${this.node.path} were dead-lettered and never reached the rollback bus ${this.bus.label} in ${this.bus.account} ${this.bus.region}. `
      + 'Read the queue\'s ERROR_CODE attributes (for example CROSS_ACCOUNT_INGESTION_FAILED: the bus policy does not admit this account) and act on the deployments by hand.');
    if (props.alarmActions) {
      this.deadLetterAlarm.addAlarmAction(...props.alarmActions);
    }
    this.node.addValidation({ validate: () => this.checkWatched() });
  }

  /**
   * Events waiting in the dead-letter queue: the queue's
   * `ApproximateNumberOfMessagesVisible`. Each is an alarm state change that
   * never reached the rollback.
   *
   * @param props to override the defaults (statistic Maximum, period 5 minutes)
   */
  public metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** The bus must be another account's or Region's, or a custom bus, with its account and Region known now. */
  private checkBus(bus: events.IEventBus): BusIdentity {
    const stack = Stack.of(this);
    const { account, region } = bus.env;
    if (!isLiteral(account) || !isLiteral(region)) {
      throw validationError(this,
        `the event bus ${bus.node.path} has ${isLiteral(account) ? 'a literal account' : 'an account only known at deploy time'} and ${isLiteral(region) ? 'a literal Region' : 'a Region only known at deploy time'}, `
        + 'so the forwarder cannot tell where the events go or check that its alarms are watched there',
        'Import the rollback\'s bus by its full ARN: events.EventBus.fromEventBusArn(this, \'RollbackBus\', \'arn:aws:events:<region>:<account>:event-bus/<name>\')');
    }
    const owned = Resource.isOwnedResource(bus) ? bus.node.defaultChild as events.CfnEventBus : undefined;
    if (owned && Stack.of(owned) !== stack && (account !== stack.account || region !== stack.region) && !isLiteral(owned.name)) {
      throw validationError(this,
        `the event bus ${bus.node.path} lives in another account or Region and has no eventBusName, so its ARN is only known once deployed`,
        'Give the bus an eventBusName, or import it by ARN with events.EventBus.fromEventBusArn');
    }
    const name = owned ? String(Stack.of(owned).resolve(owned.name)) : bus.eventBusName;
    if (!isLiteral(name)) {
      throw validationError(this, `the name of the event bus ${bus.node.path} is only known at deploy time`,
        'Import the rollback\'s bus by its full ARN: events.EventBus.fromEventBusArn(this, \'RollbackBus\', \'arn:aws:events:<region>:<account>:event-bus/<name>\')');
    }
    if (name === 'default' && account === stack.account && region === stack.region) {
      throw validationError(this,
        `the event bus is the default bus of this stack's own account ${account} and Region ${region}, where the alarm events already are`,
        'Forward only to a bus in another account or Region, or to the custom bus of an AlarmRollback (which forwards its own account\'s alarms itself); without a custom bus, no forwarder is needed here');
    }
    return { account, region, name, label: describeValue(name) };
  }

  /** The alarms' ARNs, each once, each of an alarm in this stack's account and Region. */
  private checkAlarms(alarms: cloudwatch.IAlarm[]): string[] {
    const stack = Stack.of(this);
    const seen = new Map<string, number>();
    return alarms.map((alarm, index) => {
      const arn = alarm.alarmArn;
      checkAlarmArn(this, alarm, index, arn, 'this stack');
      const key = alarmKey(alarm);
      const first = seen.get(key);
      if (first !== undefined) {
        throw validationError(this, `${alarmLabel(alarm, index)} is the same alarm as alarm ${first}`,
          'Pass each alarm once');
      }
      seen.set(key, index);
      const home = alarmHome(alarm);
      if (isLiteral(home.account) && isLiteral(home.region) && isLiteral(stack.account) && isLiteral(stack.region)
        && (home.account !== stack.account || home.region !== stack.region)) {
        throw validationError(this,
          `${alarmLabel(alarm, index)} is in account ${home.account}, Region ${home.region}; its state-change events go to the default bus there, `
          + `never to this stack's (account ${stack.account}, Region ${stack.region})`,
          `Forward it with an AlarmEventForwarder in a stack of account ${home.account} and Region ${home.region}`);
      }
      return arn;
    });
  }

  /**
   * Every forwarded alarm and tag set is watched, in every forwarded state,
   * by an AlarmRollback of this app that uses the bus. Read when the app is
   * complete, from the rollbacks' rules as they will be deployed.
   */
  private checkWatched(): string[] {
    const rollbacks = watchersIn(this);
    const watching = rollbacks.filter((rollback) => usesBus(rollback, this.bus));
    if (watching.length === 0) {
      return secondHopErrors(rollbacks, this.bus);
    }
    const stack = Stack.of(this);
    const errors: string[] = [];
    const ownRollback = watching.find((rollback) => Stack.of(rollback).account === stack.account && Stack.of(rollback).region === stack.region);
    if (ownRollback) {
      errors.push(`AlarmRollback ${ownRollback.node.path} is in this stack's own account and Region and already forwards its alarms to its bus, so every event would arrive twice. `
        + 'Remove this AlarmEventForwarder, and give the alarms to that AlarmRollback\'s targets');
      return errors;
    }
    const watched = watching.flatMap((rollback) => watchedOnBus(rollback, this.bus));
    const paths = watching.map((rollback) => rollback.node.path).join(', ');
    this.alarmKeys.forEach(({ key, label }) => {
      const states = new Set(watched.filter((rule) => rule.alarmKeys.includes(key)).flatMap((rule) => rule.states));
      const missing = this.triggerStates.filter((state) => !states.has(state));
      if (missing.length > 0) {
        errors.push(`${label} is forwarded in ${missing.join(' and ')}, but no target of ${paths} watches it in ${missing.length > 1 ? 'those states' : 'that state'} by ARN. `
          + 'Add the alarm to a target\'s alarms (with the same triggerOn), or remove it from this forwarder: nothing may be forwarded that the rollback does not act on');
      }
    });
    if (this.alarmTags) {
      const forwarded = this.alarmTags;
      const states = new Set(watched
        .filter((rule) => rule.tags.some((tags) => Object.entries(tags).every(([key, value]) => forwarded[key] === value)))
        .flatMap((rule) => rule.states));
      const missing = this.triggerStates.filter((state) => !states.has(state));
      if (missing.length > 0) {
        errors.push(`alarms tagged ${describeValue(forwarded)} are forwarded in ${missing.join(' and ')}, but no target of ${paths} watches a subset of these tags in ${missing.length > 1 ? 'those states' : 'that state'}. `
          + 'Give a target these alarmTags (with the same triggerOn), or forward only tags a target watches');
      }
    }
    return errors;
  }
}

/**
 * EventBridge does not pass on an event that a rule has already sent from
 * one bus to another, whether to a third account or to a third bus of the
 * same account ("Sending and receiving events between AWS accounts",
 * EventBridge User Guide). Events forwarded to the default bus of an
 * AlarmRollback whose rules are on its custom bus would stop there.
 */
function secondHopErrors(rollbacks: AlarmWatcher[], bus: BusIdentity): string[] {
  return rollbacks
    .filter((rollback) => Stack.of(rollback).account === bus.account && Stack.of(rollback).region === bus.region)
    .map((rollback) => {
      const buses = [...new Set(rollback._watchedRules().map((rule) => rule.busName))].filter((name): name is string => name !== undefined);
      return buses.length === 0 ? undefined
        : `AlarmRollback ${rollback.node.path} in account ${bus.account}, Region ${bus.region} receives alarm events on the bus ${buses.map((name) => describeValue(name)).join(', ')}, not on ${bus.label}; `
        + 'EventBridge does not send an event that a rule has already forwarded on through a second rule, so events forwarded to this bus would never reach it. '
        + `Forward to that AlarmRollback's bus: events.EventBus.fromEventBusArn(this, 'RollbackBus', 'arn:aws:events:${bus.region}:${bus.account}:event-bus/${buses[0]}')`;
    })
    .filter((error): error is string => error !== undefined);
}

/** Where a bus is, and its name (literal). */
interface BusIdentity {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly label: string;
}

/** What one rollback rule on the bus watches, by alarm key. */
interface WatchedKeys {
  readonly alarmKeys: string[];
  readonly tags: Array<Record<string, string>>;
  readonly states: string[];
}

/** True when the rollback's stack is in the bus's account and Region and one of its rollback rules is on the bus. */
function usesBus(rollback: AlarmWatcher, bus: BusIdentity): boolean {
  const stack = Stack.of(rollback);
  if (stack.account !== bus.account || stack.region !== bus.region) {
    return false;
  }
  return rollback._watchedRules().some((rule) => rule.busName === bus.name);
}

/** What the rollback's rules on the bus match: alarm keys, tag sets and states, as the rollback made them. */
function watchedOnBus(rollback: AlarmWatcher, bus: BusIdentity): WatchedKeys[] {
  const stack = Stack.of(rollback);
  return rollback._watchedRules().filter((rule) => rule.busName === bus.name).map((rule) => ({
    alarmKeys: rule.alarmArns.map((arn) => resolvedArnKey(stack.resolve(arn))),
    tags: rule.alarmTags ? [rule.alarmTags] : [],
    states: rule.triggerStates,
  }));
}
