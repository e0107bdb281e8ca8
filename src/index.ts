export * from './alarm-event-forwarder';
export * from './alarm-read-failure';
export * from './alarm-rollback';
export * from './rollback-outcome';
export type { RollbackDashboardOptions } from './rollback-dashboard';
export * from './rollback-target';
export * from './trigger-on';
export type { AppConfigTargetOptions } from './targets/appconfig-target';
export type { ProtonEnvironmentTargetOptions } from './targets/proton-environment-target';
