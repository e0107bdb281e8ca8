import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { describeValue, validationError } from './validate';

/**
 * The Lambda runtimes the handler asset is proven on: `.ci/run` runs the
 * bundled handler's and the alarm-state check's wire tests on the pinned
 * Node.js of each (`.ci/node-versions`, written by `.projenrc.ts`), and a test
 * keeps this list and that file in step. The esbuild target (`node22`,
 * projenrc/handler-bundle.ts) is the oldest of them.
 */
export const SUPPORTED_RUNTIMES: readonly string[] = ['nodejs22.x', 'nodejs24.x'];

/**
 * nodejs24.x: Lambda deprecates nodejs22.x on 2027-04-30 (Lambda Developer
 * Guide, "Lambda runtimes"), and aws-cdk-lib's `Runtime.NODEJS_LATEST`, which
 * names the newest Node.js runtime available in every Region, has been
 * nodejs24.x since aws-cdk-lib 2.259.0.
 */
export const DEFAULT_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * x86_64: the architecture every test of the asset runs on. arm64 costs 20%
 * less per GB-second of duration, which for functions that run for well
 * under a second per alarm event and per deployment tick is cents a year; the
 * asset has no native code, so arm64 works as well where a user prefers it.
 */
export const DEFAULT_ARCHITECTURE = lambda.Architecture.X86_64;

const ARCHITECTURES: readonly string[] = [lambda.Architecture.X86_64.name, lambda.Architecture.ARM_64.name];

/** `runtime`: a Node.js runtime the handler's tests run on. */
export function resolveRuntime(scope: IConstruct, runtime: lambda.Runtime = DEFAULT_RUNTIME): lambda.Runtime {
  const fix = `Use one of ${SUPPORTED_RUNTIMES.map(runtimeConstant).join(', ')}, or leave runtime out for ${runtimeConstant(DEFAULT_RUNTIME.name)}`;
  if (Token.isUnresolved(runtime.name)) {
    throw validationError(scope, 'runtime is a token', fix);
  }
  if (runtime.family !== lambda.RuntimeFamily.NODEJS) {
    throw validationError(scope,
      `runtime is ${describeValue(runtime.name)}, which is not a Node.js runtime; the handler is bundled JavaScript`,
      fix);
  }
  if (!SUPPORTED_RUNTIMES.includes(runtime.name)) {
    throw validationError(scope,
      `runtime is ${describeValue(runtime.name)}; the handler's tests run on ${SUPPORTED_RUNTIMES.join(' and ')} only`,
      fix);
  }
  return runtime;
}

/** `architecture`: arm64 or x86_64. */
export function resolveArchitecture(scope: IConstruct, architecture: lambda.Architecture = DEFAULT_ARCHITECTURE): lambda.Architecture {
  if (Token.isUnresolved(architecture.name) || !ARCHITECTURES.includes(architecture.name)) {
    throw validationError(scope,
      `architecture is ${describeValue(architecture.name)}; Lambda runs functions on ${ARCHITECTURES.join(' or ')}`,
      'Use lambda.Architecture.X86_64 or lambda.Architecture.ARM_64, or leave architecture out for X86_64');
  }
  return architecture;
}

/** `nodejs24.x` -> `lambda.Runtime.NODEJS_24_X`, as a user writes it. */
function runtimeConstant(name: string): string {
  const major = /^nodejs(\d+)\.x$/.exec(name)?.[1];
  return major ? `lambda.Runtime.NODEJS_${major}_X` : name;
}
