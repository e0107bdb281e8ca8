import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

/** A stack with a concrete environment, so ARNs render as literals where they can. */
export function testStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: ACCOUNT, region: REGION } });
}

export function alarmArn(name: string, region = REGION, account = ACCOUNT): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}

export function importedAlarm(stack: Stack, name: string, region = REGION, account = ACCOUNT): cloudwatch.IAlarm {
  return cloudwatch.Alarm.fromAlarmArn(stack, `Imported${name}`, alarmArn(name, region, account));
}

export function metricAlarm(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'Service', metricName: id }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

/** `arn:<partition>:<service>:eu-west-1:111111111111:<rest>` as the template renders it. */
export function arnJoin(service: string, resource: string, ...rest: unknown[]): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${REGION}:${ACCOUNT}:${resource}`, ...rest]] };
}
