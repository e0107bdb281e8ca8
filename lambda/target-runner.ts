import { appConfigRunner } from './appconfig/appconfig-runner';
import type { TargetRunner } from './decision';
import { protonEnvironmentRunner } from './proton/proton-environment-runner';
import type { RunnerContext } from './runner-context';
import { TargetInput, TargetKind } from '../src/private/contract';

/** The runner for a target kind; the parser has already checked the kind. */
export function targetRunner(target: TargetInput, ctx: RunnerContext): TargetRunner<unknown> {
  switch (target.kind) {
    case TargetKind.APPCONFIG:
      return appConfigRunner(target, ctx) as TargetRunner<unknown>;
    case TargetKind.PROTON_ENVIRONMENT:
      return protonEnvironmentRunner(target, ctx) as TargetRunner<unknown>;
  }
}
