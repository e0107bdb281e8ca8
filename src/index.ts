// Re-exports only: what users import. The layout is mapped in docs/layout.md.
export * from './alarm-rollback';
export * from './alarm-rollback-props';
export * from './alarm-rollback-target';
export * from './contract/alarm-read-failure';
export { AlarmStateCheckResult } from './contract/check-results';
export * from './contract/rollback-outcome';
export * from './contract/rollback-trigger';
export * from './forwarding/alarm-event-forwarder';
export * from './forwarding/alarm-source';
export * from './forwarding/alarm-tag-propagation';
export type { RollbackDashboardOptions } from './monitoring/rollback-dashboard';
export * from './targets/rollback-target';
export type { AppConfigTargetOptions } from './targets/appconfig/appconfig-target';
export type { CloudFormationStackTargetOptions } from './targets/cloudformation-stack/cloudformation-stack-target';
export type { ProtonEnvironmentTargetOptions } from './targets/proton-environment/proton-environment-target';
export * from './trigger-on';
