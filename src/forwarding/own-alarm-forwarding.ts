import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isInStackEnvironment } from './alarm-locations';
import { TargetInput } from '../contract';
import { addForwardingRules } from './forwarding-rules';
import { RollbackBus } from '../private/rollback-bus';
import { checkRuleCount, hash, prefixedRuleArns, RuleDelivery } from '../private/rule-delivery';
import { eventBridgeRulePrincipal } from '../private/service-trust';

/** The alarms and tag sets one forwarding call sends, in the same states. */
interface ForwardingGroup {
  readonly states: string[];
  readonly alarmArns: string[];
  readonly alarmTagSets: Array<Record<string, string>>;
}

/**
 * An AlarmRollback on a custom bus still receives its own account's and
 * Region's alarm events on the default bus only: CloudWatch puts them there
 * ("Alarm events and EventBridge", CloudWatch User Guide). Rules on the
 * default bus forward each target's alarms of this account and Region, and
 * its tag-routed events, to the custom bus, where the target's rules match
 * them. Alarms elsewhere reach the custom bus through their own forwarder.
 *
 * One role (assumed by EventBridge, allowed `events:PutEvents` on the bus)
 * serves all targets, and the rollback's one dead-letter statement for its
 * rules on the default bus (`rule/<prefix>*`) admits every forwarding rule,
 * so neither policy grows with the targets ("Amazon SQS policy quotas": 20
 * statements).
 */
export class OwnAlarmForwarding {
  private role?: iam.Role;
  /** Alarm ARNs and tag sets (see `tagSetKey`) forwarded so far, with their states. */
  private readonly forwarded = new Map<string, Set<string>>();

  constructor(
    private readonly owner: Construct,
    private readonly bus: RollbackBus,
    private readonly delivery: RuleDelivery,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  /** Forwards what `target` watches in this account and Region and no earlier target forwards yet. */
  public forward(scope: Construct, id: string, target: TargetInput): void {
    const groups = this.newlyForwarded(target);
    if (groups.length === 0) return;
    this.role ??= new iam.Role(this.owner, 'ForwardingRole', {
      // Every forwarding rule is on this stack's default bus, named within the rollback's prefix.
      assumedBy: eventBridgeRulePrincipal(this.owner, prefixedRuleArns(this.owner, this.delivery.namePrefix)),
      description: `Puts this stack's alarm events on the rollback's event bus (${this.owner.node.path})`.slice(0, 1000),
    });
    this.delivery.allowDeadLetterFromDefaultBus();
    groups.forEach((group, index) => {
      const forwarding = addForwardingRules(index === 0 ? scope : new Construct(scope, `Forwarding${index + 1}`), {
        destination: this.bus.custom!,
        alarmArns: group.alarmArns,
        alarmTagSets: group.alarmTagSets,
        triggerStates: group.states,
        role: this.role!,
        deadLetterQueue: this.deadLetterQueue,
        admitToDeadLetterQueue: false,
        // `<rollback prefix>f<hash>-`: within the rollback's prefix, and never the start of a start rule's name (`<readable id>-<hash>-s`).
        namePrefix: `${this.delivery.namePrefix}f${hash(index === 0 ? id : `${id}/${index + 1}`, 8)}-`,
        purpose: `to ${this.bus.description} for ${id}`,
      });
      checkRuleCount(scope, RollbackBus.of(this.owner, undefined), forwarding.rules.length, 'forwarding this target\'s alarms to the custom bus');
    });
  }

  /**
   * An event forwarded twice reaches every rule on the custom bus twice, so
   * each alarm and tag set is forwarded only in the states no earlier target
   * forwards it in; those missing the same states share one call's rules.
   */
  private newlyForwarded(target: TargetInput): ForwardingGroup[] {
    const groups = new Map<string, ForwardingGroup>();
    const add = (key: string, place: (group: ForwardingGroup) => void) => {
      const forwarded = this.forwarded.get(key) ?? new Set<string>();
      const states = target.triggerStates.filter((state) => !forwarded.has(state));
      if (states.length === 0) return;
      const group = groups.get(states.join()) ?? { states, alarmArns: [], alarmTagSets: [] };
      groups.set(states.join(), group);
      place(group);
      states.forEach((state) => forwarded.add(state));
      this.forwarded.set(key, forwarded);
    };
    target.alarmArns.filter((arn) => isInStackEnvironment(this.owner, arn)).forEach((arn) => add(arn, (group) => group.alarmArns.push(arn)));
    const tags = target.alarmTags;
    if (tags) add(tagSetKey(tags), (group) => group.alarmTagSets.push(tags));
    return [...groups.values()];
  }
}

/** One key per tag set, whatever the order of its keys. */
function tagSetKey(tags: Record<string, string>): string {
  return `tags:${JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
}
