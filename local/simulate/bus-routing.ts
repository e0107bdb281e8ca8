import { evaluateBusPolicy, evaluateRolePolicy, PutEventsRequest } from './bus-policy';
import { EventBusModel, ForwardingRule, parseBusArn } from './event-buses';
import { StateOrganization } from './state-file';

/**
 * Whether EventBridge puts an event a forwarding rule matched on the rule's
 * target bus, and why. A refused put is not retried: EventBridge sends an
 * event that failed for missing permissions straight to the target's
 * dead-letter queue, or drops it when there is none ("Using dead-letter
 * queues to process undelivered events in EventBridge", EventBridge User
 * Guide).
 */
export interface PutDecision {
  readonly allowed: boolean;
  readonly reason: string;
  /**
   * The `ERROR_CODE` attribute of the dead-letter message, from the codes the
   * dead-letter queue page lists. That page does not say which code each
   * failure gets; simulate picks the one whose name says it.
   */
  readonly errorCode?: string;
  /** What simulate could not check, said once so the report is honest about it. */
  readonly unchecked?: string;
}

export interface ForwardContext {
  readonly model: EventBusModel;
  readonly organization?: StateOrganization;
  /** True when the event reached the rule's bus from another bus. */
  readonly alreadyForwarded: boolean;
  /** The account and Region of the bus the event first arrived on. */
  readonly origin: { readonly account: string; readonly region: string };
}

/**
 * Decides one forwarding rule's put, in the order EventBridge meets the
 * checks: the one-hop limit, the rule's role (trust and identity policy),
 * then, for a bus of another account, that bus's resource policy. A bus of
 * the rule's own account needs no resource policy: the role's identity
 * policy is enough ("Sending and receiving events between event buses in the
 * same account and Region", EventBridge User Guide).
 */
export function decideForward(rule: ForwardingRule, event: Record<string, unknown>, context: ForwardContext): PutDecision {
  const target = parseBusArn(rule.targetBusArn)!;
  const sender = rule.stack.environment;
  if (context.alreadyForwarded) {
    // An event that came from another bus is not passed on to a third one
    // ("Sending and receiving events between AWS accounts in Amazon
    // EventBridge", EventBridge User Guide); the dead-letter queue page lists
    // the two codes for it. EventBridge documents no larger hop count.
    const code = target.account !== context.origin.account ? 'THIRD_ACCOUNT_HOP_DETECTED' : 'THIRD_REGION_HOP_DETECTED';
    return { allowed: false, errorCode: code, reason: `the event already came from another event bus, and EventBridge does not route an event on to a third bus (${code})` };
  }
  const request: PutEventsRequest = {
    principalAccount: sender.account,
    roleArn: rule.roleArn,
    // A bus that admits its senders by organization admits only targets with
    // a RoleArn (RoleArn of "Target", EventBridge API Reference): without a
    // role the put carries no aws:PrincipalOrgID to match.
    principalOrgId: rule.roleArn !== undefined && context.organization?.accounts.includes(sender.account) ? context.organization.id : undefined,
    busArn: rule.targetBusArn,
    sourceArn: rule.arn,
    source: String(event.source),
    detailType: String(event['detail-type']),
  };
  const unchecked: string[] = [];
  const crossAccount = target.account !== sender.account;
  if (rule.roleArn === undefined) {
    if (!crossAccount) {
      return {
        allowed: false,
        errorCode: 'NO_PERMISSIONS',
        reason: `the rule's target has no RoleArn: EventBridge sends to another bus of the same account (${target.region === sender.region ? 'same Region' : 'another Region'}) with the role the target names`,
      };
    }
  } else if (rule.role === undefined) {
    unchecked.push(`role ${rule.roleArn} is not a resource of stack ${sender.stackName}, so its policies were not checked`);
  } else {
    if (!rule.role.trustsEventBridge) {
      return { allowed: false, errorCode: 'FAILED_TO_ASSUME_ROLE', reason: `role ${rule.roleArn} does not trust events.amazonaws.com in its AssumeRolePolicyDocument` };
    }
    const identity = evaluateRolePolicy(rule.role.statements, request);
    if (!identity.allowed) {
      if (rule.role.managedPolicyArns.length === 0 || identity.reason.includes(' denies ')) {
        return { allowed: false, errorCode: 'NO_PERMISSIONS', reason: identity.reason };
      }
      unchecked.push(`role ${rule.roleArn}'s managed policies (${rule.role.managedPolicyArns.join(', ')}) were not read; its own statements do not allow events:PutEvents`);
    }
  }
  if (!crossAccount) {
    return { allowed: true, reason: `same account ${sender.account}: role ${rule.roleArn} may put events on ${rule.targetBusArn}, no bus policy needed`, ...(unchecked.length ? { unchecked: unchecked.join('; ') } : {}) };
  }
  const bus = context.model.buses.get(rule.targetBusArn);
  if (!bus?.inAssembly && (bus?.policy.length ?? 0) === 0) {
    unchecked.push(`event bus ${rule.targetBusArn} is not in the assembly, so its resource policy was not checked`);
    return { allowed: true, reason: `put on ${rule.targetBusArn} (outside the assembly)`, unchecked: unchecked.join('; ') };
  }
  const policy = evaluateBusPolicy(bus?.policy ?? [], request);
  if (!policy.allowed) return { allowed: false, errorCode: 'CROSS_ACCOUNT_INGESTION_FAILED', reason: policy.reason };
  return { allowed: true, reason: policy.reason, ...(unchecked.length ? { unchecked: unchecked.join('; ') } : {}) };
}
