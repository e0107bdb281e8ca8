import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmRollback, RollbackTarget } from '../src';

export interface SynthFigure {
  readonly targets: number;
  readonly synthMs: number;
  readonly resources: number;
  /** Managed policies CDK split off because the handler's inline policy outgrew IAM's size limit. */
  readonly overflowPolicies: number;
}

/** Synthesizes a stack with `targets` AppConfig targets of two imported alarms each, into a throwaway folder. */
export function synthScale(targets: number): SynthFigure {
  const outdir = mkdtempSync(join(tmpdir(), 'alarm-rollback-synth-'));
  try {
    const started = performance.now();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
    const rollback = new AlarmRollback(stack, 'Rollback');
    for (let i = 0; i < targets; i++) {
      const alarm = (kind: string) => cloudwatch.Alarm.fromAlarmArn(stack, `${kind}${i}`,
        `arn:aws:cloudwatch:us-east-1:123456789012:alarm:service-${i}-${kind}`);
      rollback.addTarget(`Target${i}`, {
        alarms: [alarm('errors'), alarm('latency')],
        target: RollbackTarget.appConfig({ applicationId: 'app0001', environmentId: `e${String(i).padStart(6, '0')}` }),
      });
    }
    const assembly = app.synth();
    const synthMs = performance.now() - started;
    const template = assembly.getStackByName('Scale').template as { Resources: Record<string, { Type: string }> };
    const resources = Object.values(template.Resources);
    return {
      targets,
      synthMs,
      resources: resources.length,
      overflowPolicies: resources.filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy').length,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
