import { readFileSync } from 'fs';
import { join } from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { importedAlarm, testStack } from './support';
import { AlarmRollback, AlarmRollbackProps, RollbackTarget } from '../../src';
import { SUPPORTED_RUNTIMES } from '../../src/private/function-runtime';

/** Both functions' Runtime and Architectures, by handler entry. */
function functionsOf(props: AlarmRollbackProps): Record<string, { runtime: string; architectures: string[] }> {
  const stack = testStack();
  const rollback = new AlarmRollback(stack, 'Rollback', props);
  rollback.addTarget('Config', {
    alarms: [importedAlarm(stack, 'errors')],
    target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678' }),
  });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as any[];
  return Object.fromEntries(functions.map((fn) => [
    fn.Properties.Handler,
    { runtime: fn.Properties.Runtime, architectures: fn.Properties.Architectures },
  ]));
}

function synthWith(props: AlarmRollbackProps): () => void {
  return () => functionsOf(props);
}

describe('the functions\' runtime and architecture', () => {
  it('runs both functions on nodejs24.x and x86_64 by default', () => {
    expect(functionsOf({})).toEqual({
      'index.handler': { runtime: 'nodejs24.x', architectures: ['x86_64'] },
      'alarm-state.handler': { runtime: 'nodejs24.x', architectures: ['x86_64'] },
    });
  });

  it('puts both functions on the runtime and architecture the user picks', () => {
    expect(functionsOf({ runtime: lambda.Runtime.NODEJS_22_X, architecture: lambda.Architecture.ARM_64 })).toEqual({
      'index.handler': { runtime: 'nodejs22.x', architectures: ['arm64'] },
      'alarm-state.handler': { runtime: 'nodejs22.x', architectures: ['arm64'] },
    });
  });

  it('refuses a Node.js runtime the handler is not tested on, naming the ones it is', () => {
    expect(synthWith({ runtime: lambda.Runtime.NODEJS_20_X })).toThrow(
      '[TestStack/Rollback] runtime is "nodejs20.x"; the handler\'s tests run on nodejs22.x and nodejs24.x only. '
      + 'Use one of lambda.Runtime.NODEJS_22_X, lambda.Runtime.NODEJS_24_X, or leave runtime out for lambda.Runtime.NODEJS_24_X');
    expect(synthWith({ runtime: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS) })).toThrow(/runtime is "nodejs26.x"; the handler's tests run on nodejs22.x and nodejs24.x only/);
  });

  it('refuses a runtime that is not Node.js', () => {
    expect(synthWith({ runtime: lambda.Runtime.PYTHON_3_13 })).toThrow(
      /\[TestStack\/Rollback\] runtime is "python3.13", which is not a Node.js runtime; the handler is bundled JavaScript\. Use one of lambda.Runtime.NODEJS_22_X/);
  });

  it('refuses an architecture Lambda does not offer', () => {
    expect(synthWith({ architecture: lambda.Architecture.custom('riscv64') })).toThrow(
      '[TestStack/Rollback] architecture is "riscv64"; Lambda runs functions on x86_64 or arm64. '
      + 'Use lambda.Architecture.X86_64 or lambda.Architecture.ARM_64, or leave architecture out for X86_64');
  });

  it('offers exactly the runtimes whose Node.js `.ci/run` runs the wire tests on', () => {
    const pinned = readFileSync(join(__dirname, '..', '..', '.ci', 'node-versions'), 'utf8')
      .split('\n').filter((line) => line.length > 0).map((line) => `nodejs${/^NODE_(\d+)=/.exec(line)![1]}.x`);
    expect([...SUPPORTED_RUNTIMES].sort()).toEqual(pinned.sort());
  });
});
