import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { arnJoin, importedAlarm, testStack } from './support';
import { AlarmRollback, RollbackTarget } from '../../src';
import { TargetKind } from '../../src/contract';
import { TARGET_KINDS } from '../../src/targets/registry';

function addTarget(stack: Stack, target: RollbackTarget, id = 'Target'): void {
  new AlarmRollback(stack, 'Rollback').addTarget(id, { alarms: [importedAlarm(stack, 'errors')], target });
}

function inputTemplate(stack: Stack): any {
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return Object.values(rules)[0].Properties.Targets[0].InputTransformer.InputTemplate;
}

describe('RollbackTarget.appConfig', () => {
  it('takes the application and environment from L2 objects, and grants on that environment only', () => {
    const stack = testStack();
    const application = new appconfig.Application(stack, 'App');
    const environment = new appconfig.Environment(stack, 'Env', { application });
    addTarget(stack, RollbackTarget.appConfig({ application, environment }));

    expect(inputTemplate(stack)).toEqual({
      'Fn::Join': ['', [
        '{"version":2,"target":{"kind":"appconfig","name":"TestStack/Rollback/Target",'
          + '"alarmArns":["arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors"],"triggerStates":["ALARM"],"actOnPausedAlarms":false,"applicationId":"',
        { Ref: expect.stringMatching(/^App/) },
        '","environmentId":"',
        { Ref: expect.stringMatching(/^Env/) },
        '","revertCompletedWithinSeconds":0},"event":<f1>}',
      ]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['appconfig:ListDeployments', 'appconfig:GetDeployment', 'appconfig:StopDeployment'],
            Resource: [
              arnJoin('appconfig', 'application/', { Ref: Match.stringLikeRegexp('^App') }),
              arnJoin('appconfig', 'application/', { Ref: Match.stringLikeRegexp('^App') }, '/environment/', { Ref: Match.stringLikeRegexp('^Env') }),
              arnJoin('appconfig', 'application/', { Ref: Match.stringLikeRegexp('^App') }, '/environment/', { Ref: Match.stringLikeRegexp('^Env') }, '/deployment/*'),
            ],
          },
        ]),
      },
    });
  });

  it('derives the application from an environment alone', () => {
    const stack = testStack();
    const environment = appconfig.Environment.fromEnvironmentArn(stack, 'Env',
      'arn:aws:appconfig:eu-west-1:111111111111:application/abc1234/environment/def5678');
    addTarget(stack, RollbackTarget.appConfig({ environment }));
    expect(JSON.parse(inputTemplate(stack).replace('<f1>', 'null')).target).toMatchObject({
      applicationId: 'abc1234',
      environmentId: 'def5678',
    });
  });

  it('takes plain IDs and sends the revert window in seconds', () => {
    const stack = testStack();
    addTarget(stack, RollbackTarget.appConfig({
      applicationId: 'abc1234',
      environmentId: 'def5678',
      revertCompletedWithin: Duration.hours(72),
    }));
    expect(JSON.parse(inputTemplate(stack).replace('<f1>', 'null'))).toEqual({
      version: 2,
      target: {
        kind: 'appconfig',
        name: 'TestStack/Rollback/Target',
        alarmArns: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors'],
        triggerStates: ['ALARM'],
        actOnPausedAlarms: false,
        applicationId: 'abc1234',
        environmentId: 'def5678',
        revertCompletedWithinSeconds: 259200,
      },
      event: null,
    });
  });

  it('mixes an application object with an environment ID', () => {
    const stack = testStack();
    const application = new appconfig.Application(stack, 'App');
    addTarget(stack, RollbackTarget.appConfig({ application, environmentId: 'def5678' }));
    expect(JSON.stringify(inputTemplate(stack))).toContain('\\",\\"environmentId\\":\\"def5678\\"');
  });

  it('accepts IDs that are tokens without checking them', () => {
    const stack = testStack();
    const applicationId = new appconfig.CfnApplication(stack, 'CfnApp', { name: 'app' }).ref;
    addTarget(stack, RollbackTarget.appConfig({ applicationId, environmentId: 'def5678' }));
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 1);
  });

  describe('validation', () => {
    const fails = (options: Parameters<typeof RollbackTarget.appConfig>[0], message: RegExp) => {
      const stack = testStack();
      expect(() => addTarget(stack, RollbackTarget.appConfig(options))).toThrow(message);
    };

    it('refuses a revert window over 72 hours', () => fails(
      { applicationId: 'abc1234', environmentId: 'def5678', revertCompletedWithin: Duration.hours(96) },
      /^\[TestStack\/Rollback\/Target\] revertCompletedWithin is 4 days; AppConfig reverts only within 72 hours of completion\. Use Duration\.hours\(72\) or less/,
    ));

    it('refuses a revert window that is not whole seconds', () => fails(
      { applicationId: 'abc1234', environmentId: 'def5678', revertCompletedWithin: Duration.millis(1500) },
      /\[TestStack\/Rollback\/Target\] revertCompletedWithin is 1 second 500 millis; it must be a whole number of seconds greater than zero\. Use a duration such as Duration\.hours\(24\)/,
    ));

    it('refuses a zero revert window', () => fails(
      { applicationId: 'abc1234', environmentId: 'def5678', revertCompletedWithin: Duration.seconds(0) },
      /revertCompletedWithin is 0 seconds; it must be a whole number of seconds greater than zero/,
    ));

    it('refuses an application ID that is not an AppConfig ID', () => fails(
      { applicationId: 'My-App', environmentId: 'def5678' },
      /\[TestStack\/Rollback\/Target\] applicationId is "My-App", which is not an AppConfig ID.*Pass the ID AppConfig assigned \(aws appconfig list-applications\)/,
    ));

    it('refuses an environment ID that is not an AppConfig ID', () => fails(
      { applicationId: 'abc1234', environmentId: 'production' },
      /\[TestStack\/Rollback\/Target\] environmentId is "production", which is not an AppConfig ID.*list-environments/,
    ));

    it('refuses both application and applicationId', () => {
      const stack = testStack();
      const application = new appconfig.Application(stack, 'App');
      expect(() => addTarget(stack, RollbackTarget.appConfig({ application, applicationId: 'abc1234', environmentId: 'def5678' })))
        .toThrow(/\[TestStack\/Rollback\/Target\] both application \(TestStack\/App\) and applicationId "abc1234" are given\. Give one of them/);
    });

    it('refuses both environment and environmentId', () => {
      const stack = testStack();
      const application = new appconfig.Application(stack, 'App');
      const environment = new appconfig.Environment(stack, 'Env', { application });
      expect(() => addTarget(stack, RollbackTarget.appConfig({ environment, environmentId: 'def5678' })))
        .toThrow(/\[TestStack\/Rollback\/Target\] both environment \(TestStack\/Env\) and environmentId "def5678" are given\. Give one of them/);
    });

    it('refuses a target with no application', () => fails(
      { environmentId: 'def5678' },
      /\[TestStack\/Rollback\/Target\] the AppConfig target names no application.*Pass environment \(an appconfig\.IEnvironment\), or application or applicationId/,
    ));

    it('refuses a target with no environment', () => fails(
      { applicationId: 'abc1234' },
      /\[TestStack\/Rollback\/Target\] the AppConfig target names no environment.*Pass environment \(an appconfig\.IEnvironment\) or environmentId/,
    ));

    it('refuses an environment of another application', () => {
      const stack = testStack();
      const environment = appconfig.Environment.fromEnvironmentArn(stack, 'Env',
        'arn:aws:appconfig:eu-west-1:111111111111:application/abc1234/environment/def5678');
      expect(() => addTarget(stack, RollbackTarget.appConfig({ applicationId: 'zzz9999', environment })))
        .toThrow(/\[TestStack\/Rollback\/Target\] environment TestStack\/Env belongs to application "abc1234", not to "zzz9999"/);
    });
  });
});

describe('the registry of target kinds', () => {
  it('has one definition for every kind the rule input names, and no other', () => {
    expect(Object.keys(TARGET_KINDS).sort()).toEqual(Object.values(TargetKind).sort());
  });

  it('makes the definition each factory binds: the rule input names its kind', () => {
    const stack = testStack();
    const rollback = new AlarmRollback(stack, 'Rollback', { alarmStateChecks: false });
    rollback.addTarget('Config', {
      alarms: [importedAlarm(stack, 'errors')],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
    });
    rollback.addTarget('Env', { alarms: [importedAlarm(stack, 'latency')], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });

    const templates = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((rule: any) => rule.Properties.Targets[0].InputTransformer.InputTemplate as string);
    expect(templates).toEqual([
      expect.stringContaining(`"kind":"${TargetKind.APPCONFIG}","name":"TestStack/Rollback/Config"`),
      expect.stringContaining(`"kind":"${TargetKind.PROTON_ENVIRONMENT}","name":"TestStack/Rollback/Env"`),
    ]);
  });
});
