import { Duration, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as fc from 'fast-check';
import { importedAlarm, testStack } from './support';
import { AlarmReadFailure, AlarmRollback, AlarmRollbackProps, RollbackTarget, TriggerOn } from '../../src';
import { HandlerEnv, isAlarmArn, Rules } from '../../src/contract';

// Property-based: for any value of a validated prop, the construct either
// accepts it because it is valid, or throws a synth-time error that names the
// construct path, the prop and a fix. Never an AWS-side failure at deploy time.
// (Durations start at zero: aws-cdk-lib refuses negative ones itself.)
const FIX = /\] .+\. .+/s;

function outcome(build: () => void): { ok: true } | { ok: false; message: string } {
  try {
    build();
    return { ok: true };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function rollbackWith(props: AlarmRollbackProps): void {
  new AlarmRollback(testStack(), 'Rollback', props);
}

function targetWith(target: () => RollbackTarget): void {
  const stack = testStack();
  new AlarmRollback(stack, 'Rollback', { monitoring: false })
    .addTarget('Target', { alarms: [importedAlarm(stack, 'errors')], target: target() });
}

function expectValidated(result: ReturnType<typeof outcome>, valid: boolean, path: string, prop: string): void {
  if (valid) {
    expect(result).toEqual({ ok: true });
  } else {
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message.startsWith(`[${path}]`)).toBe(true);
    expect(message).toContain(prop);
    expect(message).toMatch(FIX);
  }
}

const RUNS = { numRuns: 60 };

describe('construct props under any value', () => {
  it('accepts a revert window of whole seconds up to 72 hours, and refuses any other with a fix', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 300_000, noNaN: true })), (seconds) => {
      const valid = Number.isInteger(seconds) && seconds > 0 && seconds <= Rules.MAX_REVERT_WINDOW_SECONDS;
      const result = outcome(() => targetWith(() => RollbackTarget.appConfig({
        applicationId: 'abc1234',
        environmentId: 'def5678',
        revertCompletedWithin: Duration.millis(Math.round(seconds * 1000)),
      })));
      expectValidated(result, valid && Math.round(seconds * 1000) % 1000 === 0, 'TestStack/Rollback/Target', 'revertCompletedWithin');
    }), RUNS);
  });

  it('accepts AppConfig ids of 4 to 7 lowercase letters or digits only', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9]{1,9}$/)), fc.boolean(), (id, asApplication) => {
      fc.pre(!Token.isUnresolved(id));
      const valid = Rules.APPCONFIG_ID.test(id);
      const result = outcome(() => targetWith(() => RollbackTarget.appConfig(asApplication
        ? { applicationId: id, environmentId: 'def5678' }
        : { applicationId: 'abc1234', environmentId: id })));
      expectValidated(result, valid, 'TestStack/Rollback/Target', asApplication ? 'applicationId' : 'environmentId');
    }), RUNS);
  });

  it('accepts Proton environment names as Proton defines them only', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.stringMatching(/^[0-9A-Za-z_-]{1,110}$/)), (name) => {
      fc.pre(!Token.isUnresolved(name));
      const valid = Rules.PROTON_RESOURCE_NAME.test(name);
      const result = outcome(() => targetWith(() => RollbackTarget.protonEnvironment({ environmentName: name })));
      expectValidated(result, valid, 'TestStack/Rollback/Target', 'environmentName');
    }), RUNS);
  });

  it('accepts the alarm ARNs the handler accepts, and refuses every other with a fix', () => {
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 260 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 260 }),
      fc.constantFrom('a\tb', 'line\u2028separator', '\u{1F600}'.repeat(255), '\u{1F600}'.repeat(256), 'x'.repeat(255), 'x'.repeat(256)),
    );
    const arn = fc.oneof(
      fc.tuple(fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b', 'AWS'), fc.constantFrom('eu-west-1', 'us-gov-west-1', ''), name)
        .map(([partition, region, alarmName]) => `arn:${partition}:cloudwatch:${region}:111111111111:alarm:${alarmName}`),
      fc.string(),
    );
    fc.assert(fc.property(arn, (alarmArn) => {
      fc.pre(!Token.isUnresolved(alarmArn) && alarmArn.length > 0);
      const result = outcome(() => {
        const stack = testStack();
        const alarm = { alarmArn, alarmName: 'fuzzed', node: stack.node } as unknown as cloudwatch.IAlarm;
        // The ARN's syntax is under test here, not where the alarm lives (alarm-sources.test.ts).
        new AlarmRollback(stack, 'Rollback', { monitoring: false, alarmsForwardedElsewhere: true })
          .addTarget('Target', { alarms: [alarm], target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }) });
      });
      expectValidated(result, isAlarmArn(alarmArn), 'TestStack/Rollback/Target', 'alarm 0');
    }), RUNS);
  });

  it('accepts the addTarget ids whose target name the handler accepts, and refuses every other with a fix', () => {
    const id = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
      fc.constantFrom(' lead', 'trail ', 'tab\tinside', 'x'.repeat(520)));
    fc.assert(fc.property(id, (targetId) => {
      // constructs turns "/" into "--"; a token is resolved later, and is not an id anyone writes.
      fc.pre(!targetId.includes('/') && !Token.isUnresolved(targetId));
      const stack = testStack();
      const rollback = new AlarmRollback(stack, 'Rollback', { monitoring: false });
      fc.pre(rollback.node.tryFindChild(targetId) === undefined);
      const result = outcome(() => rollback.addTarget(targetId, {
        alarms: [importedAlarm(stack, 'errors')],
        target: RollbackTarget.protonEnvironment({ environmentName: 'prod' }),
      }));
      const name = `TestStack/Rollback/${targetId}`;
      expectValidated(result, Rules.TARGET_NAME.test(name), name, 'target name');
    }), RUNS);
  });

  it('accepts a ledger retention of whole days only', () => {
    const retention = fc.oneof(fc.integer({ min: 0, max: 400 * 86_400 }), fc.integer({ min: 0, max: 400 }).map((days) => days * 86_400));
    fc.assert(fc.property(retention, (seconds) => {
      const valid = seconds >= 86_400 && seconds % 86_400 === 0;
      const result = outcome(() => rollbackWith({ ledgerRetention: Duration.seconds(seconds) }));
      expectValidated(result, valid, 'TestStack/Rollback', 'ledgerRetention');
    }), RUNS);
  });

  it('accepts 0 to 185 EventBridge retries only', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -50, max: 400 }), fc.double({ min: -1, max: 200, noNaN: true })), (attempts) => {
      const valid = Number.isInteger(attempts) && attempts >= 0 && attempts <= 185;
      expectValidated(outcome(() => rollbackWith({ retryAttempts: attempts })), valid, 'TestStack/Rollback', 'retryAttempts');
    }), RUNS);
  });

  it('accepts an EventBridge event age of 1 minute to 24 hours in whole seconds only', () => {
    const age = fc.oneof(fc.integer({ min: 0, max: 100_000 }).map((seconds) => seconds * 1000), fc.integer({ min: 0, max: 100_000_000 }));
    fc.assert(fc.property(age, (milliseconds) => {
      const valid = milliseconds % 1000 === 0 && milliseconds >= 60_000 && milliseconds <= 86_400_000;
      expectValidated(outcome(() => rollbackWith({ maxEventAge: Duration.millis(milliseconds) })), valid, 'TestStack/Rollback', 'maxEventAge');
    }), RUNS);
  });

  it('accepts a reserved concurrency of a whole number of at least 1 only', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -20, max: 5000 }), fc.double({ min: -1, max: 100, noNaN: true })), (reserved) => {
      const valid = Number.isInteger(reserved) && reserved >= 1;
      expectValidated(outcome(() => rollbackWith({ reservedConcurrency: reserved })), valid, 'TestStack/Rollback', 'reservedConcurrency');
    }), RUNS);
  });
  it('renders any mix of trigger states, pause switches, read-failure policy and start gate alike in the rules, the check and its environment', () => {
    const option = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    const triggerOnOption = option(TriggerOn.ALARM, TriggerOn.ALARM_OR_INSUFFICIENT_DATA);
    fc.assert(fc.property(triggerOnOption, triggerOnOption,
      option(true, false), option(true, false), option(AlarmReadFailure.ROLL_BACK, AlarmReadFailure.CONTINUE), option(true, false),
      (triggerOn, targetTriggerOn, actOnPausedAlarms, targetActOnPaused, alarmReadFailure, blockStart) => {
        const stack = testStack();
        new AlarmRollback(stack, 'Rollback', { monitoring: false, triggerOn, actOnPausedAlarms, alarmReadFailure }).addTarget('Target', {
          alarms: [importedAlarm(stack, 'errors')],
          target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678', blockDeploymentsWhileAlarming: blockStart }),
          triggerOn: targetTriggerOn,
          actOnPausedAlarms: targetActOnPaused,
        });
        const template = Template.fromStack(stack);
        const states = (targetTriggerOn ?? triggerOn ?? TriggerOn.ALARM) === TriggerOn.ALARM ? ['ALARM'] : ['ALARM', 'INSUFFICIENT_DATA'];
        const paused = targetActOnPaused ?? actOnPausedAlarms ?? false;
        const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as any[];
        expect(rule.Properties.EventPattern.detail.state.value).toEqual(states);
        const input = JSON.parse(rule.Properties.Targets[0].InputTransformer.InputTemplate.replace('<f1>', 'null')).target;
        expect([input.triggerStates, input.actOnPausedAlarms]).toEqual([states, paused]);
        const [association] = Object.values(template.findResources('AWS::AppConfig::ExtensionAssociation')) as any[];
        expect(JSON.parse(association.Properties.Parameters.Target))
          .toMatchObject({ triggerStates: states, actOnPausedAlarms: paused, blockStart: blockStart ?? false });
        const check = (Object.values(template.findResources('AWS::Lambda::Function')) as any[]).find((fn) => fn.Properties.Handler === 'alarm-state.handler');
        expect(check.Properties.Environment.Variables[HandlerEnv.ALARM_READ_FAILURE]).toBe(alarmReadFailure ?? AlarmReadFailure.ROLL_BACK);
      }), { numRuns: 25 });
  });
});
