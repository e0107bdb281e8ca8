import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { platformStack, synthesize } from './platform-stack';
import { headroom, measureQuotas, QuotaUsage } from './quota-usage';
import { IntrinsicResolver, Template } from '../../local/simulate/intrinsics';
import { AlarmRollback, AlarmSource, RollbackTarget } from '../../src';
import { BAKE_GATE_RESOURCE_TYPE } from '../../src/contract';
import { CLOUDFORMATION_TEMPLATE_MAX_BYTES, EVENT_BUS_POLICY_MAX_CHARS, RULES_PER_EVENT_BUS } from '../../src/private/quotas';

/** Every quota the stack's resolved template is measured against, by name. */
const QUOTAS = [
  'CloudFormation resources per stack',
  'CloudFormation template bytes (via S3)',
  'CloudFormation outputs per stack',
  'EventBridge rules per event bus',
  'EventBridge event bus policy characters',
  'EventBridge event pattern characters',
  'EventBridge input template characters',
  'EventBridge targets per rule',
  'EventBridge rule name characters',
  'SQS queue policy statements',
  'SQS queue policy bytes',
  'Lambda resource-based policy bytes',
  'IAM inline policy characters per role',
  'IAM managed policy characters',
  'IAM managed policies per role',
  'AppConfig extension parameters',
  'AppConfig extension parameter value characters',
];

function usages(options: Parameters<typeof platformStack>[0]): QuotaUsage[] {
  const { app, stack, monitoring } = platformStack(options);
  const { template, environment, exports } = synthesize(app, stack, monitoring);
  return measureQuotas(template, environment, exports);
}

/** Fails with every quota that is exceeded, named with its figure and the resource that exceeds it. */
function expectWithinEveryQuota(measured: QuotaUsage[]): void {
  expect(measured.map((usage) => usage.quota)).toEqual(QUOTAS);
  const exceeded = measured.filter((usage) => usage.used > usage.limit).map((usage) => `${usage.quota}: ${headroom(usage)} at ${usage.where}`);
  expect(exceeded).toEqual([]);
}

const used = (measured: QuotaUsage[], quota: string) => measured.find((usage) => usage.quota === quota)!.used;

describe('the resolved template', () => {
  it('names unnamed resources as CloudFormation does: <stack>-<logical id>-<12 characters>, at most 64 characters', () => {
    const resources = { Short: { Type: 'AWS::Lambda::Permission' }, [`Long${'X'.repeat(80)}`]: { Type: 'AWS::Lambda::Permission' } };
    const resolver = (stackName: string) => new IntrinsicResolver({ Resources: resources }, { stackName, account: '111111111111', region: 'eu-west-1' },
      { cloudFormationNames: true });
    expect(resolver('Shop').physicalName('Short')).toMatch(/^Shop-Short-[0-9A-F]{12}$/);
    for (const stackName of ['Shop', `Stack${'s'.repeat(100)}`]) {
      const name = resolver(stackName).physicalName(`Long${'X'.repeat(80)}`);
      expect(name.length).toBe(64);
      expect(name).toMatch(/^[A-Za-z]+-LongX+-[0-9A-F]{12}$/);
    }
  });
});

describe('quotas on the resolved template', () => {
  it('deploys 150 AppConfig targets of 2 alarms each with their alarm-state checks, an application and an association each, within every quota', () => {
    const measured = usages({ targets: 150, alarmsPerTarget: 2 });
    expectWithinEveryQuota(measured);
    expect(used(measured, 'AppConfig extension parameters')).toBe(10);
    expect(used(measured, 'AppConfig extension parameter value characters')).toBeGreaterThan(0);
    expect(used(measured, 'CloudFormation resources per stack')).toBeGreaterThan(400);
  });

  it('deploys 190 AppConfig targets of 2 alarms each with their alarm-state checks, the alarms created with names in a monitoring stack of the app, within every quota', () => {
    // With generated names, the monitoring stack would export 380 alarm ARNs (200 outputs allowed): refused at synth, below.
    // 200 targets make a template of about 1.02 MB, past the 1 MB CloudFormation takes: refused at synth too.
    const measured = usages({ targets: 190, alarmsPerTarget: 2, alarmsInMonitoringStack: true, createdAlarmsOnly: true, namedAlarms: true });
    expectWithinEveryQuota(measured);
    expect(used(measured, 'AppConfig extension parameters')).toBe(10);
    expect(used(measured, 'CloudFormation resources per stack')).toBeGreaterThan(380);
    expect(used(measured, 'CloudFormation template bytes (via S3)')).toBeGreaterThan(900_000);
  });

  it('refuses at synth time a stack that the associations take past 500 resources, with the count, the quota and the fix', () => {
    const { app } = platformStack({ targets: 200, alarmsPerTarget: 2 });
    expect(() => app.synth()).toThrow(new RegExp(
      '\\[PlatformDeploymentGuardrailsRollbackStack/Rollback\\] stack PlatformDeploymentGuardrailsRollbackStack has \\d+ resources, \\d+ of them from this AlarmRollback '
      + '.*CloudFormation allows 500 per stack\\. Split the targets over AlarmRollbacks in two stacks, move the alarms to another stack \\(with an alarmName each'));
  });

  describe('the layout the resource error suggests for 150 targets: alarms and environments in a stack of their own', () => {
    const layout = { targets: 150, alarmsPerTarget: 2, alarmsInMonitoringStack: true, createdAlarmsOnly: true, environmentsInMonitoringStack: true };

    it('deploys both stacks within every quota when the alarms have names, read by name without an export each', () => {
      const { app, stack, monitoring } = platformStack({ ...layout, namedAlarms: true });
      const { template, environment, exports } = synthesize(app, stack, monitoring);
      expectWithinEveryQuota(measureQuotas(template, environment, exports));
      const alarms = app.synth().getStackByName(monitoring!.stackName).template as Template;
      const measured = measureQuotas(alarms, { ...environment, stackName: monitoring!.stackName });
      expectWithinEveryQuota(measured);
      // 300 alarms, 150 environments and the application; an export for each environment ID and the application ID, none for an alarm.
      expect(used(measured, 'CloudFormation resources per stack')).toBe(451);
      expect(used(measured, 'CloudFormation outputs per stack')).toBe(151);
      // The rollback stack still deploys after the alarms' stack.
      expect(stack.dependencies).toContain(monitoring);
    });

    it('refuses at synth time the alarms\' stack that the exports of 300 generated alarm names take past 200 outputs, with the figure and the fix', () => {
      const { app } = platformStack(layout);
      expect(() => app.synth()).toThrow(new RegExp(
        '\\[PlatformDeploymentGuardrailsRollbackStack/Rollback\\] stack PlatformServiceMonitoringAlarmsStack has 451 outputs, 451 of them exports other stacks import '
        + '.*CloudFormation allows 200 outputs per stack\\. Give the alarms in that stack an alarmName'));
    });
  });

  it('refuses at synth time a template past 1 MB (300 targets and a dashboard), with the figure and the fix', () => {
    const { app } = platformStack({ targets: RULES_PER_EVENT_BUS, alarmsPerTarget: 1, alarmStateChecks: false, dashboard: true });
    expect(() => app.synth()).toThrow(new RegExp(
      '\\[PlatformDeploymentGuardrailsRollbackStack/Rollback\\] stack PlatformDeploymentGuardrailsRollbackStack has a template of [\\d,]+ bytes; '
      + 'CloudFormation takes at most 1,000,000 bytes from S3\\. Leave out addDashboard \\(it draws a graph per target\\), or split the targets'));
  });

  it('deploys 200 targets of 2 alarms each without alarm-state checks, an application each, within every quota', () => {
    const measured = usages({ targets: 200, alarmsPerTarget: 2, alarmStateChecks: false });
    expectWithinEveryQuota(measured);
    // One statement for all rules, not one per rule.
    expect(used(measured, 'SQS queue policy statements')).toBe(2);
    expect(used(measured, 'EventBridge rules per event bus')).toBe(200);
    // The target grants spill into customer managed policies, and the basic execution role is counted.
    expect(used(measured, 'IAM managed policies per role')).toBeGreaterThan(1);
  });

  it('deploys one target of 100 alarms, created and imported with 255-character names, within every quota by spreading them over rules', () => {
    // Alarm events only: 100 ARNs of 255-character names outgrow the association's 9 values (refused at synth, see alarm-state.test.ts).
    const { app, stack, rollback } = platformStack({ targets: 1, alarmsPerTarget: 100, alarmStateChecks: false });
    const measured = measureQuotas(synthesize(app, stack).template, synthesize(app, stack).environment);
    expectWithinEveryQuota(measured);
    expect(rollback.rules.length).toBeGreaterThan(1);
    expect(used(measured, 'EventBridge event pattern characters')).toBeGreaterThan(1500);
  });

  it.each([
    ['in the rollback stack', false],
    ['in a monitoring stack of the app', true],
  ])('deploys one target of 100 alarms created in the app %s with its alarm-state check, counting their generated names at their real length', (_where, alarmsInMonitoringStack) => {
    const { app, stack, monitoring } = platformStack({ targets: 1, alarmsPerTarget: 100, createdAlarmsOnly: true, alarmsInMonitoringStack });
    const { template, environment, exports } = synthesize(app, stack, monitoring);
    const measured = measureQuotas(template, environment, exports);
    expectWithinEveryQuota(measured);
    const parameters = Object.values(template.Resources!).find((resource) => resource.Type === 'AWS::AppConfig::ExtensionAssociation')!.Properties!.Parameters;
    // Target and at least 7 of Alarms1..Alarms9: 100 ARNs of about 130 characters.
    expect(Object.keys(parameters).length).toBeGreaterThanOrEqual(8);
    expect(used(measured, 'AppConfig extension parameter value characters')).toBeGreaterThan(1500);
  });

  it('deploys 200 mixed AppConfig and Proton targets, some created in the app, within every quota', () => {
    expectWithinEveryQuota(usages({ targets: 200, alarmsPerTarget: 2, protonEvery: 3, createdEnvironmentEvery: 10, alarmStateChecks: false }));
  });

  it('deploys 120 mixed AppConfig and Proton targets with alarm-state checks, counting the Proton start rules, within every quota', () => {
    const measured = usages({ targets: 120, alarmsPerTarget: 2, protonEvery: 3, createdEnvironmentEvery: 10 });
    expectWithinEveryQuota(measured);
    // 120 alarm rules and a start rule per Proton target.
    expect(used(measured, 'EventBridge rules per event bus')).toBe(160);
  });

  it('deploys 300 targets, the rules an event bus holds by default, within every quota', () => {
    const measured = usages({ targets: RULES_PER_EVENT_BUS, alarmsPerTarget: 1, alarmStateChecks: false });
    expectWithinEveryQuota(measured);
    expect(used(measured, 'EventBridge rules per event bus')).toBe(RULES_PER_EVENT_BUS);
  });

  it('refuses the 301st rule at synth time with the target, the figure, the quota and the fix', () => {
    expect(() => platformStack({ targets: RULES_PER_EVENT_BUS + 1, alarmsPerTarget: 1, alarmStateChecks: false })).toThrow(new RegExp(
      '^\\[PlatformDeploymentGuardrailsRollbackStack/Rollback/Target300\\] this target needs 1 EventBridge rule\\(s\\), which makes 301 rules '
      + '.*EventBridge allows 300 rules per event bus by default.*\\. Give a group of targets the same alarms in one composite alarm'));
  });

  it('counts the rules of every AlarmRollback in the stack against the event bus quota', () => {
    const stack = new Stack(new App(), 'Two');
    // Every target on one environment: alarm events only (the check takes one target per environment).
    const first = new AlarmRollback(stack, 'First', { alarmStateChecks: false });
    const second = new AlarmRollback(stack, 'Second', { alarmStateChecks: false });
    const alarm = (i: number) => cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:a${i}`);
    const target = RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' });
    for (let i = 0; i < 200; i++) first.addTarget(`T${i}`, { alarms: [alarm(i)], target });
    for (let i = 200; i < 300; i++) second.addTarget(`T${i}`, { alarms: [alarm(i)], target });
    expect(() => second.addTarget('T300', { alarms: [alarm(300)], target })).toThrow(/\[Two\/Second\/T300\] .* makes 301 rules/);
  });

  it('refuses at synth time target grants that outgrow the IAM policies a role can hold, when IDs of unknown length are imported', () => {
    expect(() => platformStack({ targets: 250, alarmsPerTarget: 1, importedIds: true, alarmStateChecks: false })).toThrow(new RegExp(
      '^\\[PlatformDeploymentGuardrailsRollbackStack/Rollback/Target\\d+\\] the handler\'s target grants need more than 9 customer managed policies of 6144 characters '
      + '.*IAM attaches at most 10 managed policies to a role.*\\. Split the targets over two AlarmRollback constructs'));
  });

  it('gives two AlarmRollbacks rule name prefixes of which neither starts the other', () => {
    const stack = new Stack(new App(), 'Prefixes');
    const names = ['Rollback', 'Rollback2', 'RollbackWithAVeryLongIdThatIsCut', 'RollbackWithAVeryLongIdThatIsCutToo']
      .map((id) => new AlarmRollback(stack, id).ruleNamePrefix);
    for (const a of names) {
      expect(a).toMatch(/^[A-Za-z0-9]{1,20}-[0-9a-f]{8}-$/);
      for (const b of names) if (a !== b) expect(b.startsWith(a)).toBe(false);
    }
  });
});

describe('the event bus policy on the resolved template', () => {
  /** The policy of a rollback's bus that admits `accounts` accounts and one organization, measured as deployed. */
  function busPolicyChars(accounts: number): number {
    const app = new App();
    const stack = new Stack(app, 'Rollback', { env: { account: '111111111111', region: 'eu-west-1' } });
    new AlarmRollback(stack, 'Rollback', {
      alarmStateChecks: false,
      alarmSources: [
        ...Array.from({ length: accounts }, (_, index) => AlarmSource.account(String(300000000000 + index))),
        AlarmSource.organization('o-a1b2c3d4e5'),
      ],
    });
    const { template, environment } = synthesize(app, stack);
    return measureQuotas(template, environment).find((usage) => usage.quota === 'EventBridge event bus policy characters')!.used;
  }

  it('admits 200 accounts and an organization within the 10,240 characters of a bus policy', () => {
    const chars = busPolicyChars(200);
    expect(chars).toBeGreaterThan(6000);
    expect(chars).toBeLessThanOrEqual(EVENT_BUS_POLICY_MAX_CHARS);
  });

  it('refuses at synth time the accounts that would take the deployed policy past its quota, before it gets there', () => {
    let largest = 0;
    for (let accounts = 200; ; accounts += 10) {
      try {
        largest = busPolicyChars(accounts);
      } catch (error) {
        expect((error as Error).message).toMatch(/would have \d+ characters .*EventBridge allows 10240 per bus policy by default/);
        break;
      }
    }
    // The synth-time count takes every token at its longest, so what it lets through deploys.
    expect(largest).toBeLessThanOrEqual(EVENT_BUS_POLICY_MAX_CHARS);
    expect(largest).toBeGreaterThan(EVENT_BUS_POLICY_MAX_CHARS * 0.8);
  });
});

describe('a stack target with a bake, on a stack at CloudFormation\'s limits', () => {
  const GUARDED = 'PlatformCheckoutServiceStack';
  /** CloudFormation's "Template body size in a request", the inline limit `cdk deploy` avoids by uploading templates through S3. */
  const INLINE_TEMPLATE_MAX_BYTES = 51_200;

  /**
   * A user's app: the AlarmRollback in the platform's stack, watching an alarm
   * by name, and the stack it bakes holding `resources` queues whose logical
   * IDs are as long as the CDK writes them (248 characters), so the gate's
   * DependsOn list is as long as it can be; `tagBytes` pads each queue.
   */
  function bakedApp(resources: number, tagBytes = 0): { app: App; guarded: Stack; operations: Stack } {
    const app = new App();
    const guarded = new Stack(app, GUARDED);
    for (let i = 0; i < resources; i++) {
      const stage = new Construct(guarded, `CheckoutOrderProcessingPipelineStage${i}`);
      new sqs.CfnQueue(stage, 'OrderConfirmationDeadLetterQueue'.repeat(8), {
        tags: tagBytes > 0 ? [{ key: 'note', value: 'x'.repeat(tagBytes) }] : undefined,
      });
    }
    const operations = new Stack(app, 'PlatformDeploymentGuardrailsRollbackStack');
    new AlarmRollback(operations, 'Rollback').addTarget('Checkout', {
      alarms: [cloudwatch.Alarm.fromAlarmName(operations, 'Errors', 'checkout-5xx')],
      target: RollbackTarget.cloudFormationStack({ stack: guarded, bake: Duration.minutes(15) }),
    });
    return { app, guarded, operations };
  }

  it('deploys a 499-resource stack with its gate as resource 500, a DependsOn of all 499 and a template within every quota, the AlarmRollback\'s stack too', () => {
    const { app, guarded, operations } = bakedApp(499);
    // synthesize() also keeps both templates for cfn-lint (npx projen cfn-lint).
    const { template, environment } = synthesize(app, guarded);
    const measured = measureQuotas(template, environment);
    expectWithinEveryQuota(measured);
    expect(used(measured, 'CloudFormation resources per stack')).toBe(500);

    const gates = Object.values(template.Resources ?? {}).filter((resource) => resource.Type === BAKE_GATE_RESOURCE_TYPE);
    const [gate] = gates as unknown as Array<{ DependsOn: string[] }>;
    expect(gate.DependsOn).toHaveLength(499);
    expect(Math.max(...gate.DependsOn.map((id) => id.length))).toBe(248);
    // Past the inline limit, which is why the CDK uploads the template to S3; far inside the 1 MB it takes from there.
    const bytes = used(measured, 'CloudFormation template bytes (via S3)');
    expect(bytes).toBeGreaterThan(INLINE_TEMPLATE_MAX_BYTES);
    expect(bytes).toBeLessThan(CLOUDFORMATION_TEMPLATE_MAX_BYTES / 2);

    const ops = synthesize(app, operations);
    expectWithinEveryQuota(measureQuotas(ops.template, ops.environment));
  });

  it('refuses at synth time the 501st resource the gate would be, with the count and the fix', () => {
    const { app } = bakedApp(500);

    expect(() => app.synth()).toThrow(new RegExp(`\\[${GUARDED}/AlarmRollbackBakeGate/Resource\\] stack ${GUARDED} has 501 resources with the bake gate; `
      + 'CloudFormation allows 500 per stack .*Move resources into a nested stack .*at most 499 besides the gate'));
  });

  it('refuses at synth time a template the gate\'s DependsOn takes past 1 MB, with the figures and the fix', () => {
    // About 943 KB without the gate; the gate's list of 499 long logical IDs adds about 129 KB.
    const { app } = bakedApp(499, 1500);

    expect(() => app.synth()).toThrow(new RegExp(`stack ${GUARDED} has a template of 1,0\\d\\d,\\d{3} bytes, 12\\d,\\d{3} of them the bake gate's \\(its DependsOn lists the stack's other 499 resources\\); `
      + 'CloudFormation takes at most 1,000,000 bytes from S3 .*Move resources into a nested stack'));
  });
});
