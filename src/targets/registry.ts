// Every kind of target, one line each. A kind lives in its own folder
// (src/targets/<kind>/: its options, its definition with its grants and
// rules); adding one is a folder, a line here, its name in the contract's
// TargetKind and a static factory on RollbackTarget, the public entry jsii
// needs. Nothing in AlarmRollback knows the kinds.
import { AppConfigTarget, AppConfigTargetOptions } from './appconfig/appconfig-target';
import { CloudFormationStackTarget, CloudFormationStackTargetOptions } from './cloudformation-stack/cloudformation-stack-target';
import { ProtonEnvironmentTarget, ProtonEnvironmentTargetOptions } from './proton-environment/proton-environment-target';
import { TargetDefinition } from './target-definition';
import { TargetKind, TargetKindName } from '../contract';

/** The definition of each kind, by the kind name its rule input carries; `satisfies` fails the build if a kind of the contract has none. */
export const TARGET_KINDS = {
  [TargetKind.APPCONFIG]: (options: AppConfigTargetOptions): TargetDefinition => new AppConfigTarget(options),
  [TargetKind.PROTON_ENVIRONMENT]: (options: ProtonEnvironmentTargetOptions): TargetDefinition => new ProtonEnvironmentTarget(options),
  [TargetKind.CLOUDFORMATION_STACK]: (options: CloudFormationStackTargetOptions): TargetDefinition => new CloudFormationStackTarget(options),
} satisfies Record<TargetKindName, (options: never) => TargetDefinition>;
