import { isAlarmArn, parseAlarmArn, Rules } from '../../src/contract';

// The rules are checked in place by the construct, handler, local-service and
// fuzz tests; these cases pin each rule to the limits of the AWS model it cites.
describe('the contract rules', () => {
  it('takes AppConfig ids of 4 to 7 lowercase letters or digits, as the AppConfig Id shape', () => {
    expect(['abcd', 'abc1234', '0000000'].filter((id) => Rules.APPCONFIG_ID.test(id))).toHaveLength(3);
    expect(['abc', 'abcdefgh', 'ABC1234', 'abc-123', ' abc1234', 1234567].some((id) => Rules.APPCONFIG_ID.test(id))).toBe(false);
  });

  it('takes Proton resource names of 1 to 100 letters, digits, "_" and "-" that start with a letter or digit', () => {
    expect(['p', 'prod_eu-1', 'x'.repeat(100)].every((name) => Rules.PROTON_RESOURCE_NAME.test(name))).toBe(true);
    expect(['', '-prod', '_prod', 'prod env', 'x'.repeat(101)].some((name) => Rules.PROTON_RESOURCE_NAME.test(name))).toBe(false);
  });

  it('reads an alarm ARN into its parts, the name verbatim', () => {
    expect(parseAlarmArn('arn:aws-us-gov:cloudwatch:us-gov-west-1:111111111111:alarm:checkout 5xx: rate')).toEqual({
      partition: 'aws-us-gov', region: 'us-gov-west-1', account: '111111111111', alarmName: 'checkout 5xx: rate',
    });
  });

  it('takes alarm names CloudWatch allows: 255 characters counted as code points, any but ASCII control characters', () => {
    const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`;
    expect(isAlarmArn(arn('\u{1F600}'.repeat(255)))).toBe(true);
    expect(isAlarmArn(arn('line\u2028separator'))).toBe(true);
    expect(isAlarmArn(arn('\u{1F600}'.repeat(256)))).toBe(false);
    expect(isAlarmArn(arn('tab\there'))).toBe(false);
    expect(isAlarmArn(arn('del\u007f'))).toBe(false);
    expect(isAlarmArn(arn(''))).toBe(false);
  });

  it('refuses ARNs of other services, other shapes, and beyond the AlarmArn length of 1600', () => {
    expect(isAlarmArn('arn:aws:sns:eu-west-1:111111111111:alarm:x')).toBe(false);
    expect(isAlarmArn('arn:aws:cloudwatch:eu-west-1:11111111111:alarm:x')).toBe(false);
    expect(isAlarmArn('arn:aws:cloudwatch::111111111111:alarm:x')).toBe(false);
    expect(isAlarmArn(`arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${'x'.repeat(1600)}`)).toBe(false);
    expect(isAlarmArn(42)).toBe(false);
  });

  it('takes UUID event ids in either case, and nothing else', () => {
    expect(Rules.EVENT_ID.test('6a7e8feb-b491-4cf7-a9f1-bf3703467718')).toBe(true);
    expect(Rules.EVENT_ID.test('6A7E8FEB-B491-4CF7-A9F1-BF3703467718')).toBe(true);
    expect(Rules.EVENT_ID.test('6a7e8feb-b491-4cf7-a9f1-bf370346771')).toBe(false);
    expect(Rules.EVENT_ID.test('EVENT#1')).toBe(false);
  });

  it('takes ISO 8601 times with a zone, in the EventBridge and the CloudWatch forms, that are real dates', () => {
    expect(Rules.EVENT_TIME.test('2026-11-20T14:03:10Z')).toBe(true);
    expect(Rules.EVENT_TIME.test('2026-11-20T14:03:10.109+0000')).toBe(true);
    expect(Rules.EVENT_TIME.test('2026-11-20T14:03:10')).toBe(false);
    expect(Rules.EVENT_TIME.test('2026-13-45T14:03:10Z')).toBe(false);
    expect(Rules.EVENT_TIME.test('yesterday')).toBe(false);
  });

  it('takes target names of 1 to 512 characters, trimmed, without control characters', () => {
    expect(Rules.TARGET_NAME.test('Stack/Rollback/Config Rollout')).toBe(true);
    expect(Rules.TARGET_NAME.test('x'.repeat(512))).toBe(true);
    expect(['', ' lead', 'trail ', 'new\nline', 'x'.repeat(513)].some((name) => Rules.TARGET_NAME.test(name))).toBe(false);
  });

  it('limits the revert window to AppConfig\'s 72 hours', () => {
    expect(Rules.MAX_REVERT_WINDOW_SECONDS).toBe(72 * 3600);
  });
});
