// What an AlarmEventForwarder asks of the AlarmRollbacks of its app: which
// alarms, tag sets and states each one's rules to its handler watch, and on
// which bus. Each AlarmRollback records this as it adds a target's rules, so
// the forwarder reads typed answers instead of rules out of the template.
import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';

/** One group of an AlarmRollback's rules to its handler, as it made them. */
export interface WatchedRule {
  /** The name of the bus the rules are on (`default` for the default bus); undefined when only known at deploy time. */
  readonly busName?: string;
  /** The alarms the rules match by ARN (tokens allowed); empty for a tag rule or a start rule. */
  readonly alarmArns: string[];
  /** The tags the rule matches, literal (addTarget refuses tokens); absent for ARN and start rules. */
  readonly alarmTags?: Record<string, string>;
  /** The alarm states the rules match; empty for a start rule, which matches no alarm. */
  readonly triggerStates: string[];
}

/**
 * An AlarmRollback, as a forwarder sees it.
 *
 * @internal
 */
export interface AlarmWatcher extends IConstruct {
  /** @internal */
  _watchedRules(): WatchedRule[];
}

const perApp = new WeakMap<IConstruct, AlarmWatcher[]>();

/** Makes `watcher` known to the forwarders of its app. */
export function registerWatcher(watcher: AlarmWatcher): void {
  const root = watcher.node.root;
  perApp.set(root, [...perApp.get(root) ?? [], watcher]);
}

/** The AlarmRollbacks of `scope`'s app, in the order they were made. */
export function watchersIn(scope: IConstruct): AlarmWatcher[] {
  return [...perApp.get(scope.node.root) ?? []];
}

/**
 * The name of a bus as rules on it are deployed: `default` for none, the
 * name of a bus made in this app, or the name in an imported bus's ARN.
 */
export function busNameOf(bus: events.IEventBus | undefined): string | undefined {
  if (bus === undefined) {
    return 'default';
  }
  const owned = Resource.isOwnedResource(bus) ? bus.node.defaultChild : undefined;
  if (owned instanceof events.CfnEventBus) {
    const name = Stack.of(owned).resolve(owned.name);
    return typeof name === 'string' ? name : undefined;
  }
  return Token.isUnresolved(bus.eventBusName) ? undefined : bus.eventBusName;
}
