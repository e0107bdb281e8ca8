import { createHash } from 'crypto';
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { ALARM_STATE_CHANGE, AlarmStateValue, CLOUDWATCH_SOURCE, INPUT_VERSION, RollbackInput, TargetInput } from '../contract';
import { allowEventBridgeToUseQueueKey } from './encryption';
import { EVENT_PATTERN_MAX_CHARS, INPUT_TEMPLATE_MAX_CHARS, RULE_NAME_MAX_CHARS } from './quotas';
import { resolvedLength } from './resolved-length';
import { RollbackBus, topStack } from './rollback-bus';
import { checkRulesPerBus } from './rules-per-bus';
import { describeValue, validationError } from './validate';

/**
 * The pattern every rule shares but its alarm ARNs, with the most trigger
 * states a target can have (its length bounds every rule's). Exact values only: the
 * quota on rules whose patterns contain wildcards (30 per event bus, "Amazon
 * EventBridge quotas") does not apply.
 */
export const PATTERN_SKELETON = {
  'source': [CLOUDWATCH_SOURCE],
  'detail-type': [ALARM_STATE_CHANGE],
  'resources': [] as string[],
  'detail': { state: { value: [AlarmStateValue.ALARM, AlarmStateValue.INSUFFICIENT_DATA] } },
};
/**
 * What the event field renders as in the input template. The CDK writes
 * `<f1>`; `<aws.events.event>` is the longest form EventBridge accepts for
 * the whole event, so either fits the estimate.
 */
const EVENT_PLACEHOLDER = '<aws.events.event>';
/** Non-ARN strings of a target's input whose length is a token nobody can bound (AppConfig IDs have 7, Proton names 100). */
const UNKNOWN_INPUT_PART_CHARS = 128;

/** How EventBridge delivers to the handler: the same for every rule. */
export interface RuleDeliveryProps {
  readonly handler: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  /** The bus the alarm rules live on. Start rules match AWS service events, which only the default bus receives. */
  readonly bus: RollbackBus;
}

/** One target's alarms, cut into groups that each fit one rule. */
export interface AlarmGroup {
  readonly alarmArns: string[];
  readonly patternChars: number;
  readonly inputChars: number;
}

/**
 * The rules of one AlarmRollback and the two grants that let all of them
 * deliver: one `AWS::Lambda::Permission` and one queue-policy statement,
 * both scoped to the rule names this AlarmRollback gives (`<prefix>*`), so
 * neither policy grows with the number of targets. With a custom bus, the
 * start rules stay on the default bus and get a second pair of grants.
 */
export class RuleDelivery {
  /** Names of this AlarmRollback's rules start with this; no other AlarmRollback's do. */
  public readonly namePrefix: string;
  /**
   * Exactly the alarm rules of this AlarmRollback:
   * `arn:<partition>:events:<region>:<account>:rule/<prefix>*` on the
   * default bus, `rule/<bus name>/<prefix>*` on a custom bus.
   */
  public readonly ruleArnPattern: string;
  private readonly rules: events.Rule[] = [];
  /** Keys of the buses whose rules may invoke the handler, and send to the dead-letter queue. */
  private readonly invokable = new Set<string>();
  private readonly deadLettering = new Set<string>();
  /** The stack's default bus, where AWS services' events (a Proton deployment starting) arrive. */
  public readonly defaultBus: RollbackBus;

  constructor(private readonly owner: Construct, private readonly props: RuleDeliveryProps) {
    this.namePrefix = rulePrefix(owner);
    this.defaultBus = props.bus.isDefault ? props.bus : RollbackBus.of(owner, undefined);
    this.ruleArnPattern = this.ruleArnPatternOn(props.bus);
  }

  private ruleArnPatternOn(bus: RollbackBus): string {
    return prefixedRuleArns(this.owner, this.namePrefix, bus.isDefault ? undefined : bus.name);
  }

  /** Every rule, in the order they were added. */
  public get all(): events.IRule[] {
    return [...this.rules];
  }

  /**
   * Adds the rules of one target: as many as its alarms need so that each
   * rule's event pattern and input template stay within EventBridge's
   * limits. Each rule's input lists only that rule's alarms.
   */
  public addRules(scope: Construct, id: string, target: TargetInput): events.Rule[] {
    const states = target.triggerStates.join(' or ');
    // Each rule's input says how its events are the target's: an ARN rule's
    // lists its alarms and no tags, the tag rule's lists the tags and no ARN.
    const { alarmTags, ...byArn } = target;
    const rules = byArn.alarmArns.length === 0 ? [] : this.addGroupedRules(scope, id, byArn as TargetInput, this.props.bus, {
      idBase: 'Rule',
      nameSuffix: '',
      description: `Rolls back ${id} when one of its ${target.alarmArns.length} alarm(s) enters ${states}`,
      eventPattern: (group) => ({
        source: PATTERN_SKELETON.source,
        detailType: PATTERN_SKELETON['detail-type'],
        resources: group.alarmArns,
        // An ALARM to ALARM event (a composite alarm's suppression ending)
        // matches too: state.value is the new state.
        detail: { state: { value: [...target.triggerStates] } },
      }),
    });
    if (alarmTags) {
      const byTags = { ...byArn, alarmArns: [], alarmTags } as TargetInput;
      const tags = Object.entries(alarmTags).map(([key, value]) => `${key}=${value}`).join(', ');
      rules.push(...this.addGroupedRules(scope, id, byTags, this.props.bus, {
        idBase: 'TagRule',
        // `-t` after the hash: no ARN rule's name ends that way (theirs end in the hash or a group number).
        nameSuffix: '-t',
        description: `Rolls back ${id} when an alarm tagged ${tags} enters ${states}`,
        eventPattern: () => tagEventPattern(alarmTags, target.triggerStates) as events.EventPattern,
        groups: () => [tagGroup(scope, byTags)],
      }));
    }
    return rules;
  }

  /**
   * One rule per group of the target's alarms, each sending the handler the
   * target with that group's alarms, named `<prefix><target part><suffix>`
   * (and `-<n>` when there are several).
   */
  public addGroupedRules(scope: Construct, id: string, target: TargetInput, bus: RollbackBus, kind: {
    readonly idBase: string;
    readonly nameSuffix: string;
    readonly description: string;
    readonly eventPattern: (group: AlarmGroup) => events.EventPattern;
    /** The rules to make, one per group. @default - the target's alarms, grouped by `groupAlarms` */
    readonly groups?: () => AlarmGroup[];
  }): events.Rule[] {
    const groups = kind.groups ? kind.groups() : groupAlarms(scope, target);
    checkRuleCount(scope, bus, groups.length, 'this target');
    this.grantDelivery(bus);
    const targetPart = `${readable(id, 20)}-${hash(id, 6)}`;
    const rules = groups.map((group, index) => {
      const input: RollbackInput = {
        version: INPUT_VERSION,
        target: { ...target, alarmArns: group.alarmArns },
        event: events.EventField.fromPath('$'),
      };
      const several = groups.length > 1;
      const rule = new events.Rule(scope, index === 0 ? kind.idBase : `${kind.idBase}${index + 1}`, {
        ruleName: `${this.namePrefix}${targetPart}${kind.nameSuffix}${several ? `-${index + 1}` : ''}`,
        description: (kind.description + (several ? `, group ${index + 1} of ${groups.length}` : '')).slice(0, 512),
        eventPattern: kind.eventPattern(group),
        eventBus: bus.custom,
      });
      rule.addTarget(new HandlerRuleTarget(this.props, events.RuleTargetInput.fromObject(input)));
      return rule;
    });
    this.rules.push(...rules);
    return rules;
  }

  /**
   * Lets rules of this AlarmRollback on the default bus send undeliverable
   * events to the dead-letter queue: its forwarding rules, which deliver to
   * the custom bus and not to the handler.
   */
  public allowDeadLetterFromDefaultBus(): void {
    this.allowDeadLetter(this.defaultBus);
  }

  private grantDelivery(bus: RollbackBus): void {
    if (this.invokable.has(bus.key)) return;
    const first = bus.key === this.props.bus.key;
    this.invokable.add(bus.key);
    // Lambda compares SourceArn with StringLike (AddPermission, Lambda API
    // reference), so one statement covers every rule named with the prefix.
    this.props.handler.addPermission(first ? 'InvokeFromRules' : 'InvokeFromDefaultBusRules', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.ruleArnPatternOn(bus),
      sourceAccount: Stack.of(this.owner).account,
    });
    this.allowDeadLetter(bus);
  }

  private allowDeadLetter(bus: RollbackBus): void {
    if (this.deadLettering.has(bus.key)) return;
    const first = bus.key === this.props.bus.key;
    this.deadLettering.add(bus.key);
    admitRulesToDeadLetter(this.props.deadLetterQueue, first ? 'AllowRollbackRulesToDeadLetter' : 'AllowRollbackDefaultBusRulesToDeadLetter',
      this.ruleArnPatternOn(bus));
  }
}

/**
 * The ARN that matches every rule of `scope`'s stack named with `namePrefix`,
 * on the default bus or on the custom bus `customBusName`. The ARN of a rule
 * on a custom bus carries the bus name:
 * `arn:${Partition}:events:${Region}:${Account}:rule/${EventBusName}/${RuleName}`
 * (resource type `rule-on-custom-event-bus`), and one on the default bus
 * does not (`rule-on-default-event-bus`): "Actions, resources, and condition
 * keys for Amazon EventBridge", Service Authorization Reference.
 */
export function prefixedRuleArns(scope: IConstruct, namePrefix: string, customBusName?: string): string {
  return Stack.of(scope).formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: customBusName === undefined ? `${namePrefix}*` : `${customBusName}/${namePrefix}*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * Adds the queue statement that lets exactly the rules matching
 * `ruleArnPattern` send it the events they could not deliver: EventBridge
 * sends to the dead-letter queue as events.amazonaws.com on behalf of the
 * rule ("Using dead-letter queues to process undelivered events",
 * EventBridge User Guide).
 */
export function admitRulesToDeadLetter(queue: sqs.IQueue, sid: string, ruleArnPattern: string): void {
  queue.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sqs:SendMessage'],
    resources: [queue.queueArn],
    conditions: { ArnLike: { 'aws:SourceArn': ruleArnPattern } },
  }));
  if (queue.encryptionMasterKey) {
    allowEventBridgeToUseQueueKey(queue, queue.encryptionMasterKey);
  }
}

/**
 * Rules per event bus is the bus's quota, shared by every stack and
 * construct that puts rules on it; count what this app puts on `bus`.
 */
export function checkRuleCount(scope: IConstruct, bus: RollbackBus, adding: number, what: string): void {
  const { after } = bus.count(scope, 'rules', adding);
  checkRulesPerBus(scope, {
    what,
    adding,
    total: after,
    counted: `of this app on ${bus.description} of account ${Stack.of(scope).account} in ${Stack.of(scope).region}`,
    fix: 'Give a group of targets the same alarms in one composite alarm, route by alarm tags, put targets on another bus or in another Region\'s stack, or raise the "Rules per event bus" quota',
  });
}

/**
 * Delivers to the handler with this library's retry policy and dead-letter
 * queue. Unlike `targets.LambdaFunction`, it adds no permission or queue
 * statement per rule: `RuleDelivery` grants both once for all rules.
 */
class HandlerRuleTarget implements events.IRuleTarget {
  constructor(private readonly props: RuleDeliveryProps, private readonly input: events.RuleTargetInput) {}

  public bind(): events.RuleTargetConfig {
    return {
      arn: this.props.handler.functionArn,
      input: this.input,
      deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumRetryAttempts: this.props.retryAttempts,
        maximumEventAgeInSeconds: this.props.maxEventAge.toSeconds(),
      },
    };
  }
}

/**
 * Cuts the target's alarms, in order, into the fewest groups whose pattern
 * stays within EventBridge's default event pattern quota and whose input
 * stays within the input template limit, counting every token at the longest
 * it can resolve to.
 */
export function groupAlarms(scope: IConstruct, target: TargetInput): AlarmGroup[] {
  const inputBase = resolvedLength(scope).ofJson({ version: INPUT_VERSION, target: { ...target, alarmArns: [] }, event: 0 }, UNKNOWN_INPUT_PART_CHARS)
    - 1 + EVENT_PLACEHOLDER.length;
  return groupAlarmArns(scope, target.alarmArns, inputBase, 'Use a shorter addTarget id and alarm names');
}

/**
 * Cuts alarm ARNs, in order, into the fewest groups whose rule pattern
 * (`resources` listing the group, and at most two trigger states) stays
 * within EventBridge's default event pattern quota, and, when `inputBase` is
 * given (the characters of the rule's input without the ARNs), whose input
 * stays within the input template limit. Every token counts at the longest
 * it can resolve to. Rules that forward alarm events share the pattern but
 * have no input.
 */
export function groupAlarmArns(scope: IConstruct, alarmArns: string[], inputBase: number | undefined, fix: string): AlarmGroup[] {
  const length = resolvedLength(scope);
  const patternBase = JSON.stringify(PATTERN_SKELETON).length;
  const inputLimit = inputBase === undefined ? Infinity : INPUT_TEMPLATE_MAX_CHARS;
  const groups: AlarmGroup[] = [];
  let current: { alarmArns: string[]; patternChars: number; inputChars: number } | undefined;
  alarmArns.forEach((arn, index) => {
    // Quotes, and a comma before every ARN but the first.
    const arnChars = length.ofAlarmArn(arn) + 2;
    if (current && current.patternChars + 1 + arnChars <= EVENT_PATTERN_MAX_CHARS && current.inputChars + 1 + arnChars <= inputLimit) {
      current.alarmArns.push(arn);
      current.patternChars += 1 + arnChars;
      current.inputChars += 1 + arnChars;
      return;
    }
    current = { alarmArns: [arn], patternChars: patternBase + arnChars, inputChars: (inputBase ?? 0) + arnChars };
    if (current.patternChars > EVENT_PATTERN_MAX_CHARS || current.inputChars > inputLimit) {
      const input = inputBase === undefined ? '' : ` and ${current.inputChars} input`;
      const limits = inputBase === undefined ? `${EVENT_PATTERN_MAX_CHARS}` : `${EVENT_PATTERN_MAX_CHARS} and ${INPUT_TEMPLATE_MAX_CHARS}`;
      throw validationError(scope,
        `alarm ${index} (${Token.isUnresolved(arn) ? 'a token' : describeValue(arn)}) alone makes a rule of ${current.patternChars} pattern${input} characters; `
        + `EventBridge allows ${limits}`,
        fix);
    }
    groups.push(current);
  });
  return groups;
}

/**
 * The pattern of a tag-routed rule: CloudWatch's state-change events whose
 * `detail.alarmTags` has each tag with exactly its value ("Alarm events and
 * EventBridge", CloudWatch User Guide: with tag propagation on, the event
 * detail carries the alarm's tags as an object of key and value, for
 * filtering in event patterns). Exact values only, like the ARN rules'.
 * Written with EventBridge's own field names, so its length is what
 * EventBridge counts.
 */
export function tagEventPattern(alarmTags: Record<string, string>, triggerStates: string[]): Record<string, unknown> {
  return {
    'source': PATTERN_SKELETON.source,
    'detail-type': PATTERN_SKELETON['detail-type'],
    'detail': {
      alarmTags: Object.fromEntries(Object.entries(alarmTags).map(([key, value]) => [key, [value]])),
      state: { value: [...triggerStates] },
    },
  };
}

/**
 * The one group of a tag-routed rule: no ARN, its pattern and input counted
 * as for the ARN rules. A tag set too long for either fails synth.
 */
function tagGroup(scope: IConstruct, target: TargetInput): AlarmGroup {
  const length = resolvedLength(scope);
  // With the most trigger states, as PATTERN_SKELETON counts them.
  const patternChars = length.ofJson(tagEventPattern(target.alarmTags ?? {}, PATTERN_SKELETON.detail.state.value), 0);
  const inputChars = length.ofJson({ version: INPUT_VERSION, target, event: 0 }, UNKNOWN_INPUT_PART_CHARS) - 1 + EVENT_PLACEHOLDER.length;
  if (patternChars > EVENT_PATTERN_MAX_CHARS || inputChars > INPUT_TEMPLATE_MAX_CHARS) {
    throw validationError(scope,
      `alarmTags make a rule of ${patternChars} pattern and ${inputChars} input characters; EventBridge allows ${EVENT_PATTERN_MAX_CHARS} and ${INPUT_TEMPLATE_MAX_CHARS}`,
      'Route by fewer or shorter tags');
  }
  return { alarmArns: [], patternChars, inputChars };
}

/**
 * `<readable id>-<hash>-`: the readable part has letters and digits only, so
 * the first `-` ends it and no prefix is the start of another. The hash
 * covers the stack name and the construct path: two AlarmRollbacks in one
 * account and Region never share a prefix.
 */
export function rulePrefix(owner: IConstruct): string {
  const stack = topStack(Stack.of(owner));
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const prefix = `${readable(owner.node.id, 20) || 'Rollback'}-${hash(`${stackName}/${owner.node.path}`, 8)}-`;
  // 30 characters at most, leaving 34 for the target part, the start rules' `-s` and the group number.
  if (prefix.length + 20 + 1 + 6 + 2 + 4 > RULE_NAME_MAX_CHARS) {
    throw new Error(`rule name prefix ${prefix} leaves no room for target names`);
  }
  return prefix;
}

export function readable(id: string, max: number): string {
  return id.replace(/[^A-Za-z0-9]/g, '').slice(0, max);
}

export function hash(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}
