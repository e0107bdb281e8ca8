export * from './alarm-rollback';
export * from './rollback-outcome';
export * from './rollback-target';
export { AppConfigTargetOptions } from './targets/appconfig-target';
export { ProtonEnvironmentTargetOptions } from './targets/proton-environment-target';
