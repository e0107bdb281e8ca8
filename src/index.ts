export * from './alarm-rollback';
export * from './rollback-outcome';
export * from './rollback-target';
export type { AppConfigTargetOptions } from './targets/appconfig-target';
export type { ProtonEnvironmentTargetOptions } from './targets/proton-environment-target';
