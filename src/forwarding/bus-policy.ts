import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ResolvedAlarmSource } from './alarm-locations';
import { EVENT_BUS_POLICY_MAX_CHARS } from '../private/quotas';
import { resolvedLength } from '../private/resolved-length';
import { RollbackBus } from '../private/rollback-bus';
import { PATTERN_SKELETON } from '../private/rule-delivery';
import { isLiteral, validationError } from '../private/validate';

/** `{"Version":"2012-10-17","Statement":[]}`: what a bus policy holds besides its statements. */
const POLICY_ENVELOPE_CHARS = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/**
 * Lets the declared accounts and organizations put CloudWatch alarm
 * state-change events on the rollback's bus, and nothing else:
 *
 * - One statement for all declared accounts (principals: the account roots),
 *   and one per organization (`Principal: '*'` with `aws:PrincipalOrgID`,
 *   as PutPermission's `Condition` does it: EventBridge API reference).
 * - Narrowed with the `events:source` and `events:detail-type` condition
 *   keys, which EventBridge sets from the events being put ("Using IAM policy
 *   conditions in Amazon EventBridge", EventBridge User Guide), so a source
 *   account can forward alarm events and no other event of its own making.
 *   The source is compared with `ForAllValues:StringEquals`, as EventBridge's
 *   own example does ("Example policy: Send events to a custom bus in a
 *   different account", EventBridge User Guide): one PutEvents call can carry
 *   entries of several sources, and every one must be `aws.cloudwatch`.
 * - No statement for the stack's own account: within one account, an allow in
 *   the forwarding role's identity policy is enough ("Policy evaluation
 *   logic", IAM User Guide; "Sending and receiving events between event buses
 *   in the same account and Region", EventBridge User Guide, asks for the
 *   role's permission on the receiving bus).
 *
 * Written as `AWS::Events::EventBusPolicy`, which works for the default bus
 * and for buses created elsewhere. Statement IDs start with the rule prefix,
 * unique per AlarmRollback in an account and Region, so two AlarmRollbacks on
 * one bus never replace each other's statements. PutPermission's
 * StatementId takes 1 to 64 of `[a-zA-Z0-9-_]` (botocore events 2015-10-07):
 * the prefix has at most 30 characters and an organization ID at most 34.
 */
export function addBusPolicy(scope: Construct, bus: RollbackBus, sources: ResolvedAlarmSource[], statementPrefix: string)
  : events.CfnEventBusPolicy[] {
  const stack = Stack.of(scope);
  const ownAccount = isLiteral(stack.account) ? stack.account : undefined;
  const accounts = sources.filter((source) => source.kind === 'account' && source.id !== ownAccount).map((source) => source.id);
  const organizations = sources.filter((source) => source.kind === 'organization').map((source) => source.id);
  const allSources = { 'events:source': PATTERN_SKELETON.source[0] };
  const detailType = { 'events:detail-type': PATTERN_SKELETON['detail-type'][0] };
  const statements: Array<{ id: string; statementId: string; statement: Record<string, unknown> }> = [];
  if (accounts.length > 0) {
    statements.push({
      id: 'BusPolicyAccounts',
      statementId: `${statementPrefix}Accounts`,
      statement: {
        Effect: 'Allow',
        Principal: { AWS: accounts.map((account) => `arn:${stack.partition}:iam::${account}:root`) },
        Action: 'events:PutEvents',
        Resource: bus.arn,
        Condition: { 'ForAllValues:StringEquals': allSources, 'StringEquals': detailType },
      },
    });
  }
  for (const organization of organizations) {
    statements.push({
      id: `BusPolicy${organization}`,
      statementId: `${statementPrefix}${organization}`,
      statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: bus.arn,
        Condition: { 'ForAllValues:StringEquals': allSources, 'StringEquals': { ...detailType, 'aws:PrincipalOrgID': organization } },
      },
    });
  }
  if (statements.length === 0) {
    return [];
  }
  checkPolicySize(scope, bus, statements.map(({ statementId, statement }) => ({ Sid: statementId, ...statement })));
  return statements.map(({ id, statementId, statement }) => new events.CfnEventBusPolicy(scope, id, {
    eventBusName: bus.name,
    statementId,
    statement,
  }));
}

/**
 * The bus's policy holds every statement put on it, by every AlarmRollback of
 * the app and by anyone else; this counts what the app adds, at the longest
 * its tokens can resolve to.
 */
function checkPolicySize(scope: Construct, bus: RollbackBus, statements: Array<Record<string, unknown>>): void {
  const length = resolvedLength(scope);
  const chars = statements.reduce((sum, statement) => sum + length.ofJson(statement, 64) + 1, 0);
  const { before, after } = bus.count(scope, 'policy-chars', chars);
  const total = POLICY_ENVELOPE_CHARS + after;
  if (total > EVENT_BUS_POLICY_MAX_CHARS) {
    throw validationError(scope,
      `the policy of ${bus.description} would have ${total} characters (${chars} of them from this AlarmRollback's alarmSources${before > 0 ? `, ${before} from other AlarmRollbacks on the bus` : ''}); `
      + `EventBridge allows ${EVENT_BUS_POLICY_MAX_CHARS} per bus policy by default`,
      'Declare the accounts of one organization with AlarmSource.organization(...) instead of one by one, or raise the "Event bus policy size" quota');
  }
}
