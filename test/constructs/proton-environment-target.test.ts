// RollbackTarget.protonEnvironment is deprecated (AWS ended support for AWS
// Proton on 2026-10-07); its tests live here so they go with it.
import { readFileSync } from 'fs';
import { join } from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { arnJoin, importedAlarm, testStack } from './support';
import { AlarmRollback, RollbackTarget } from '../../src';

function addTarget(stack: Stack, target: RollbackTarget, id = 'Target'): void {
  new AlarmRollback(stack, 'Rollback').addTarget(id, { alarms: [importedAlarm(stack, 'errors')], target });
}

function inputTemplate(stack: Stack): any {
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return Object.values(rules)[0].Properties.Targets[0].InputTransformer.InputTemplate;
}

describe('RollbackTarget.protonEnvironment', () => {
  it('grants GetEnvironment and CancelEnvironmentDeployment on that one environment', () => {
    const stack = testStack();
    addTarget(stack, RollbackTarget.protonEnvironment({ environmentName: 'prod_eu-1' }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['proton:GetEnvironment', 'proton:CancelEnvironmentDeployment'],
          Resource: arnJoin('proton', 'environment/prod_eu-1'),
        }]),
      },
    });
    expect(JSON.parse(inputTemplate(stack).replace('<f1>', 'null')).target).toEqual({
      kind: 'proton-environment',
      name: 'TestStack/Rollback/Target',
      alarmArns: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors'],
      triggerStates: ['ALARM'],
      actOnPausedAlarms: false,
      environmentName: 'prod_eu-1',
    });
  });

  it.each(['-prod', 'prod env', '', 'a'.repeat(101), 'prod/eu'])('refuses the environment name %j', (environmentName) => {
    const stack = testStack();
    expect(() => addTarget(stack, RollbackTarget.protonEnvironment({ environmentName })))
      .toThrow(/^\[TestStack\/Rollback\/Target\] environmentName is ".*", which is not a Proton environment name\. Use the name of the environment as Proton shows it/);
  });

  it('warns at synth, under its own id, that AWS ended support for Proton, and still builds the target', () => {
    const stack = testStack();
    addTarget(stack, RollbackTarget.protonEnvironment({ environmentName: 'prod' }));

    Annotations.fromStack(stack).hasWarning('/TestStack/Rollback/Target',
      Match.stringLikeRegexp('RollbackTarget\\.protonEnvironment is deprecated: AWS ended support for AWS Proton on 2026-10-07.*\\[ack: cdk-alarm-rollback:protonDeprecated\\]'));
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 2);
  });

  it('is struck through in API.md, its options with the end-of-support date', () => {
    const api = readFileSync(join(__dirname, '..', '..', 'API.md'), 'utf8');
    const options = api.slice(api.indexOf('### ProtonEnvironmentTargetOptions <a name="ProtonEnvironmentTargetOptions"'));

    expect(api).toContain('##### ~~`protonEnvironment`~~ <a name="protonEnvironment"');
    expect(options.slice(0, options.indexOf('\n### ', 1)).replace(/\s+/g, ' ')).toContain('*Deprecated:* AWS ended support for AWS Proton on 2026-10-07');
  });

  it('accepts a 100-character name', () => {
    const stack = testStack();
    addTarget(stack, RollbackTarget.protonEnvironment({ environmentName: 'a'.repeat(100) }));
    // The alarm rule and the rule on the environment's deployments starting.
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 2);
  });
});
