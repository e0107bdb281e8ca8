import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * EventBridge, allowed to assume a role only for the rules that match
 * `ruleArnPattern`, in `scope`'s account.
 *
 * "Cross-service confused deputy prevention in Amazon EventBridge" (EventBridge
 * User Guide) recommends `aws:SourceArn` and `aws:SourceAccount`, and says that
 * for event bus rule targets the value of `aws:SourceArn` must be the rule
 * ARN; "Using IAM policy conditions in Amazon EventBridge" gives
 * `aws:SourceAccount` as the account the rule is in. The pattern is a rule ARN
 * with the name prefix that this library gives its rules and no other rule
 * has, so a role that several rules share needs one statement.
 *
 * The other service roles get no condition, on purpose:
 * - Lambda execution roles: the Lambda Developer Guide gives their trust
 *   policy without conditions ("Defining Lambda function permissions with an
 *   execution role") and documents no `aws:SourceArn` value that Lambda sends
 *   when it assumes one; a condition it does not meet would stop the function
 *   from running at all.
 * - AppConfig's extension invoke role: the AppConfig User Guide's trust policy
 *   for it ("Configuring permissions for a custom AWS AppConfig extension")
 *   has no condition, and the guide's security chapter documents no confused
 *   deputy keys for AppConfig. A condition AppConfig does not meet would make
 *   every tick's action fail, and a failing AT_DEPLOYMENT_TICK action rolls
 *   the deployment back. The role may invoke the one check function only.
 */
export function eventBridgeRulePrincipal(scope: IConstruct, ruleArnPattern: string): iam.ServicePrincipal {
  return new iam.ServicePrincipal('events.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      ArnLike: { 'aws:SourceArn': ruleArnPattern },
    },
  });
}
