import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * DescribeAlarms on `*`: the CloudWatch API reference (DescribeAlarms) says
 * composite alarms are returned only to a caller whose
 * `cloudwatch:DescribeAlarms` permission is scoped to `*`; on alarm ARNs a
 * composite alarm would read as missing. ListAlarmMuteRules, which says
 * whether an alarm mute rule mutes an alarm's actions, lists the account's
 * rules and names no resource of its own (CloudWatch API Reference,
 * ListAlarmMuteRules: "you need the cloudwatch:ListAlarmMuteRules
 * permission"). Both read alarm configuration and state only.
 */
export function grantDescribeAlarms(grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules'], resourceArns: ['*'] });
}
