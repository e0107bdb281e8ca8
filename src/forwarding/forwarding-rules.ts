import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { EVENT_PATTERN_MAX_CHARS, RULE_NAME_MAX_CHARS } from '../private/quotas';
import { resolvedLength } from '../private/resolved-length';
import { admitRulesToDeadLetter, groupAlarmArns, hash, PATTERN_SKELETON, prefixedRuleArns, tagEventPattern } from '../private/rule-delivery';
import { checkRulesPerBus } from '../private/rules-per-bus';
import { describeValue, validationError } from '../private/validate';

// How alarm events reach an event bus other than the default bus of the
// alarm's own account and Region. CloudWatch puts an alarm's state-change
// event on that default bus only ("Alarm events and EventBridge", CloudWatch
// User Guide), so a rule there must send it on:
//
// - The target is the destination bus's ARN, in another account, another
//   Region, or the same account and Region ("Sending and receiving events
//   between AWS accounts", "Sending and receiving events between AWS Regions"
//   and "Sending and receiving events between event buses in the same account
//   and Region", EventBridge User Guide).
// - The target has a role in the sending account that EventBridge assumes,
//   allowed `events:PutEvents` on the destination bus; a role is required when
//   the receiving bus admits the sender through its organization (PutTargets,
//   EventBridge API reference), and the cross-Region and same-account pages
//   give the sending rule a role too, so every forwarding rule has one.
// - The target has no Input, InputPath or InputTransformer: PutTargets
//   (EventBridge API reference) does not allow them when the target is an
//   event bus of another account, and the receiving rules need the original
//   event anyway. The receiving account's rules are to match the events the
//   sender account sent ("Sending and receiving events between AWS
//   accounts"), that is by the event's own `account`; no page says field by
//   field that `account` and `region` survive forwarding, and the handler
//   compares both with the alarm ARN, so an event that lost them would be
//   refused, never acted on for the wrong alarm.
// - The target has a dead-letter queue: EventBridge sends an event it could
//   not put on the destination bus there, with error codes such as
//   CROSS_ACCOUNT_INGESTION_FAILED and CROSS_REGION_INGESTION_FAILED ("Using
//   dead-letter queues to process undelivered events", EventBridge User Guide).
// - The target has no RetryPolicy. The EventBridge User Guide describes retry
//   policies for targets in general and says nothing of event-bus targets;
//   aws-cdk-lib leaves the retry policy out of its own event-bus target, and
//   its `aws_events_targets.EventBusProps` documents that event-bus targets
//   take none. Rather than set a value that may be refused or ignored, forwarding keeps EventBridge's default retries (24 hours, 185
//   attempts: "How EventBridge retries delivering events").
// - An event a rule has sent from one bus to another is not sent on by a
//   rule of the second bus, neither to a third account nor to a third bus of
//   the same account ("Sending and receiving events between AWS accounts"),
//   so the destination must be the bus the rollback's rules are on, never a
//   relay such as that account's default bus when the rollback uses a
//   custom one.

/** What forwarding rules send, and where. */
export interface AlarmForwardingProps {
  /** The bus the events are put on. */
  readonly destination: events.IEventBus;
  /** Alarms forwarded by ARN, each once. May be empty when `alarmTagSets` is not. */
  readonly alarmArns: string[];
  /**
   * Tag sets: each forwards the events whose `detail.alarmTags` hold every
   * key of the set with that exact value, from any alarm. One rule each.
   */
  readonly alarmTagSets: Array<Record<string, string>>;
  /** The alarm states forwarded: `ALARM`, and `INSUFFICIENT_DATA` when asked for. */
  readonly triggerStates: string[];
  /** The role EventBridge assumes to put events on `destination`; it is granted `events:PutEvents` on that bus. */
  readonly role: iam.IRole;
  /** Where EventBridge sends events it could not put on `destination`. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Whether to add the queue statement that admits these rules. False when
   * the caller's queue already admits every rule named with `namePrefix`
   * (one statement for many calls keeps the queue policy within its 20
   * statements, "Amazon SQS policy quotas").
   *
   * @default true
   */
  readonly admitToDeadLetterQueue?: boolean;
  /**
   * Every rule's name starts with this, and no other rule's on the same bus
   * does: the dead-letter queue's one statement allows exactly
   * `rule/<namePrefix>*` of the default bus.
   */
  readonly namePrefix: string;
  /** Ends every rule's description: what the events are forwarded for. */
  readonly purpose: string;
}

/** The rules one `addForwardingRules` call created. */
export interface AlarmForwarding {
  /** Alarm-ARN rules first, then one rule per tag set. */
  readonly rules: events.Rule[];
  /** `arn:<partition>:events:<region>:<account>:rule/<namePrefix>*`: exactly these rules. */
  readonly ruleArnPattern: string;
}

/** Longest tag key and value (TagKey 128, TagValue 256: botocore cloudwatch 2010-08-01), for tag values that are tokens. */
const TAG_PART_MAX_CHARS = 256;

/**
 * Creates, in `scope`, the fewest rules on the default bus of `scope`'s
 * stack that forward the state-change events of exactly the given alarms
 * and tag sets, in the given states, to `props.destination`.
 */
export function addForwardingRules(scope: Construct, props: AlarmForwardingProps): AlarmForwarding {
  if (props.alarmArns.length === 0 && props.alarmTagSets.length === 0) {
    throw validationError(scope, 'nothing to forward: no alarm ARNs and no tag sets', 'Give at least one alarm or one tag set');
  }
  const groups = props.alarmArns.length === 0 ? [] : groupAlarmArns(scope, props.alarmArns, undefined, 'Use alarms with shorter names');
  const tagPatterns = props.alarmTagSets.map((tags) => tagPattern(scope, tags, props.triggerStates));
  const names = [
    ...groups.map((_, index) => `${props.namePrefix}alarms-${index + 1}`),
    ...tagPatterns.map((_, index) => `${props.namePrefix}tags-${index + 1}`),
  ];
  const longest = names.reduce((max, name) => Math.max(max, name.length), 0);
  if (longest > RULE_NAME_MAX_CHARS) {
    throw validationError(scope, `the forwarding rule name ${describeValue(names.find((name) => name.length === longest))} has ${longest} characters; EventBridge allows ${RULE_NAME_MAX_CHARS}`,
      'Use a shorter construct id');
  }
  checkDefaultBusRules(scope, names.length);

  const ruleArnPattern = prefixedRuleArns(scope, props.namePrefix);
  grantForwarding(props, ruleArnPattern);
  const target = new ForwardingRuleTarget(props);
  const states = props.triggerStates.join(' or ');
  let index = 0;
  const rule = (id: string, description: string, eventPattern: events.EventPattern): events.Rule => {
    const created = new events.Rule(scope, id, {
      ruleName: names[index++],
      // Descriptions are at most 512 characters (PutRule, EventBridge API reference).
      description: Token.isUnresolved(description) ? description : description.slice(0, 512),
      eventPattern,
    });
    created.addTarget(target);
    FORWARDING_RULES.add(created);
    return created;
  };
  const rules = [
    ...groups.map((group, n) => rule(n === 0 ? 'ForwardAlarms' : `ForwardAlarms${n + 1}`,
      `Forwards ${group.alarmArns.length} alarm(s) entering ${states}${groups.length > 1 ? ` (group ${n + 1} of ${groups.length})` : ''} ${props.purpose}`,
      {
        source: PATTERN_SKELETON.source,
        detailType: PATTERN_SKELETON['detail-type'],
        resources: group.alarmArns,
        detail: { state: { value: [...props.triggerStates] } },
      })),
    ...tagPatterns.map((pattern, n) => rule(n === 0 ? 'ForwardTags' : `ForwardTags${n + 1}`,
      `Forwards alarms tagged ${Object.entries(props.alarmTagSets[n]).map(([key, value]) => `${key}=${value}`).join(', ')} entering ${states} ${props.purpose}`,
      pattern)),
  ];
  return { rules, ruleArnPattern };
}

/**
 * The pattern of one tag set: an event matches only when it has every
 * field the pattern names, each with one of the listed values ("Event
 * pattern syntax", EventBridge User Guide), so an alarm must carry every key
 * of the set with exactly its value.
 */
function tagPattern(scope: IConstruct, tags: Record<string, string>, triggerStates: string[]): events.EventPattern {
  const rendered = tagEventPattern(tags, triggerStates);
  const chars = resolvedLength(scope).ofJson(rendered, TAG_PART_MAX_CHARS);
  if (chars > EVENT_PATTERN_MAX_CHARS) {
    throw validationError(scope,
      `the tag set ${describeValue(tags)} makes an event pattern of ${chars} characters; EventBridge allows ${EVENT_PATTERN_MAX_CHARS}`,
      'Route by fewer or shorter tags');
  }
  // The rollback rules' tag pattern, written with EventBridge's own field names; the CDK renders them unchanged.
  return rendered as events.EventPattern;
}

/**
 * Forwarding rules live on the default bus, whose quota of rules is shared
 * by every rule of the account in that Region ("Amazon EventBridge quotas").
 * Counts every rule of this stack on the default bus, the rollback rules of
 * any AlarmRollback in it included.
 */
function checkDefaultBusRules(scope: IConstruct, adding: number): void {
  const stack = Stack.of(scope);
  const existing = stack.node.findAll().filter((node) => node instanceof events.CfnRule
    && Stack.of(node) === stack && (node as events.CfnRule).eventBusName === undefined).length;
  checkRulesPerBus(scope, {
    what: 'forwarding',
    adding,
    total: existing + adding,
    counted: `on the default event bus of stack ${stack.stackName}`,
    fix: 'Forward by alarm tags instead of by ARN (one rule per tag set), or raise the "Rules per event bus" quota',
  });
}

/** Buses each role may already put events on, so a second call for the same bus adds no statement. */
const grantedBuses = new WeakMap<iam.IRole, Set<string>>();

/** Rule-name patterns each queue already admits, so a second call with the same prefix adds no statement. */
const grantedPrefixes = new WeakMap<sqs.IQueue, Set<string>>();

/**
 * One identity-policy statement per role and bus, and one queue statement per
 * queue and name prefix that admits exactly the rules named with it.
 */
function grantForwarding(props: AlarmForwardingProps, ruleArnPattern: string): void {
  const busKey = JSON.stringify(Stack.of(props.role).resolve(props.destination.eventBusArn));
  const granted = grantedBuses.get(props.role) ?? new Set<string>();
  grantedBuses.set(props.role, granted);
  if (!granted.has(busKey)) {
    granted.add(busKey);
    props.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [props.destination.eventBusArn],
    }));
  }
  if (props.admitToDeadLetterQueue === false) {
    return;
  }
  const prefixes = grantedPrefixes.get(props.deadLetterQueue) ?? new Set<string>();
  grantedPrefixes.set(props.deadLetterQueue, prefixes);
  if (prefixes.has(ruleArnPattern)) {
    return;
  }
  prefixes.add(ruleArnPattern);
  admitRulesToDeadLetter(props.deadLetterQueue, `AllowForwardingRulesToDeadLetter${hash(props.namePrefix, 8)}`, ruleArnPattern);
}

/**
 * Puts the matched event on the destination bus with the forwarding role and
 * dead-letter queue. Unlike `targets.EventBus`, it adds no queue statement
 * per rule: `grantForwarding` adds one for all of a call's rules.
 */
class ForwardingRuleTarget implements events.IRuleTarget {
  constructor(private readonly props: AlarmForwardingProps) {}

  public bind(): events.RuleTargetConfig {
    return {
      arn: this.props.destination.eventBusArn,
      role: this.props.role,
      deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
    };
  }
}

/** Rules made by `addForwardingRules`, so that a reader of a construct's rules can tell them from rollback rules. */
const FORWARDING_RULES = new WeakSet<events.IRule>();

/** True for a rule `addForwardingRules` created. */
export function isForwardingRule(rule: events.IRule): boolean {
  return FORWARDING_RULES.has(rule);
}
