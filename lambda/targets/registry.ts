import type { RunnerContext, TargetRunner } from './target-runner';
import { TargetInput, TargetKind } from '../../src/contract';

/**
 * The runner for a target kind; the parser has already checked the kind.
 * Each runner, with its SDK client, is loaded on the first event of its kind,
 * so a cold start only pays for the services the function really calls.
 */
export async function targetRunner(target: TargetInput, ctx: RunnerContext): Promise<TargetRunner<unknown>> {
  switch (target.kind) {
    case TargetKind.APPCONFIG: {
      const { appConfigRunner } = await import('./appconfig/appconfig-runner');
      return await appConfigRunner(target, ctx) as TargetRunner<unknown>;
    }
    case TargetKind.PROTON_ENVIRONMENT: {
      const { protonEnvironmentRunner } = await import('./proton-environment/proton-environment-runner');
      return await protonEnvironmentRunner(target, ctx) as TargetRunner<unknown>;
    }
    case TargetKind.CLOUDFORMATION_STACK: {
      const { cloudFormationStackRunner } = await import('./cloudformation-stack/cloudformation-stack-runner');
      return await cloudFormationStackRunner(target, ctx) as TargetRunner<unknown>;
    }
  }
}
