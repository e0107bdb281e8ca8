import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { describeValue, isLiteral, validationError } from './validate';

/** The name EventBridge gives every account's default event bus in a Region. */
const DEFAULT_BUS_NAME = 'default';

/**
 * The event bus an AlarmRollback's alarm rules live on: the default bus of
 * the stack's account and Region, or a custom bus of that same account and
 * Region. EventBridge quotas count per bus, not per stack ("Amazon
 * EventBridge quotas": rules per event bus, event bus policy size), so every
 * bus has one key per app, shared by all AlarmRollbacks and forwarding rules
 * that use it.
 */
export class RollbackBus {
  /**
   * The default bus of the stack's account and Region when `bus` is
   * undefined or is named `default`. A bus of another account or Region is
   * refused: the stack creates its rules in its own account and Region, and
   * PutRule's `EventBusName` (EventBridge API reference) names the bus the
   * rule is associated with, which AWS documents for buses of the caller's
   * own account and Region only. Events reach a bus elsewhere through a
   * forwarding rule, not through a rule created on it.
   */
  public static of(scope: IConstruct, bus: events.IEventBus | undefined): RollbackBus {
    const stack = Stack.of(scope);
    if (bus === undefined || bus.eventBusName === DEFAULT_BUS_NAME) {
      return new RollbackBus(scope, undefined);
    }
    const where: Array<string | undefined> = [bus.env?.account, bus.env?.region];
    const arn = bus.eventBusArn;
    if (isLiteral(arn)) {
      const parts = stack.splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME);
      if (parts.service !== 'events' || parts.resource !== 'event-bus' || !parts.resourceName) {
        throw validationError(scope,
          `eventBus has the ARN ${describeValue(arn)}, which is not an EventBridge event bus ARN`,
          'Import the bus with events.EventBus.fromEventBusArn(this, id, \'arn:aws:events:<region>:<account>:event-bus/<name>\')');
      }
      where[0] = parts.account;
      where[1] = parts.region;
    }
    const [account, region] = where;
    const otherAccount = isLiteral(account) && isLiteral(stack.account) && account !== stack.account;
    const otherRegion = isLiteral(region) && isLiteral(stack.region) && region !== stack.region;
    if (otherAccount || otherRegion) {
      throw validationError(scope,
        `eventBus ${isLiteral(arn) ? arn : bus.node.path} is in account ${account}, Region ${region}, but this stack deploys to account ${stack.account}, Region ${stack.region}; `
        + 'the rollback\'s rules must be on a bus of the stack\'s own account and Region',
        `Give a bus of account ${stack.account} in ${stack.region} (or leave eventBus out for its default bus), `
        + 'and send the alarms of other accounts and Regions to it with an AlarmEventForwarder there');
    }
    return new RollbackBus(scope, bus);
  }

  /** The bus's name: `default`, or the custom bus's name. */
  public readonly name: string;
  /** The bus's ARN. */
  public readonly arn: string;
  /** Identifies the bus within the app, for quotas counted per bus. */
  public readonly key: string;
  /** `the default event bus` or `event bus <name>`, for messages. */
  public readonly description: string;

  private constructor(scope: IConstruct, public readonly custom: events.IEventBus | undefined) {
    const stack = Stack.of(scope);
    if (custom === undefined) {
      this.name = DEFAULT_BUS_NAME;
      this.arn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: DEFAULT_BUS_NAME, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      // Two stacks of one account and Region share its default bus; with an unknown environment, count per stack.
      this.key = isLiteral(stack.account) && isLiteral(stack.region)
        ? `default:${stack.account}:${stack.region}`
        : `default:${topStack(stack).node.path}`;
      this.description = 'the default event bus';
    } else {
      this.name = custom.eventBusName;
      this.arn = custom.eventBusArn;
      this.key = isLiteral(custom.eventBusArn)
        ? custom.eventBusArn
        : `${Stack.of(custom).node.path}:${JSON.stringify(Stack.of(custom).resolve(custom.eventBusArn))}`;
      this.description = `event bus ${Token.isUnresolved(custom.eventBusName) ? custom.node.path : custom.eventBusName}`;
    }
  }

  /** True for the default bus of the stack's account and Region. */
  public get isDefault(): boolean {
    return this.custom === undefined;
  }

  /**
   * Adds `amount` to what this app puts on the bus under `quota` and returns
   * the total before and after; `limit` is checked by the caller, who knows
   * what to tell the user.
   */
  public count(scope: IConstruct, quota: string, amount: number): { before: number; after: number } {
    let usage = perApp.get(scope.node.root);
    if (!usage) {
      usage = new Map();
      perApp.set(scope.node.root, usage);
    }
    const key = `${quota}@${this.key}`;
    const before = usage.get(key) ?? 0;
    usage.set(key, before + amount);
    return { before, after: before + amount };
  }
}

/** What each bus of an app holds so far, by quota and bus key. */
const perApp = new WeakMap<IConstruct, Map<string, number>>();

/** The stack that deploys `stack`: itself, or the top parent of a nested stack. */
export function topStack(stack: Stack): Stack {
  let top = stack;
  while (top.nestedStackParent) top = top.nestedStackParent;
  return top;
}
