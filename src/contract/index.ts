// The contract between the construct (src/) and the handler (lambda/), split
// by wire shape: one file per thing that crosses from one side to the other.
// Every file here is free of aws-cdk-lib and constructs: the handler bundle
// inlines them (a lint rule keeps it so). lambda/ imports src/ only from here.
export * from './alarm-arn';
export * from './alarm-events';
export * from './alarm-read-failure';
export * from './bake-gate';
export * from './check-results';
export * from './extension-parameters';
export * from './handler-environment';
export * from './ledger-record';
export * from './metrics';
export * from './rollback-outcome';
export * from './rollback-trigger';
export * from './rule-input';
export * from './text-rules';
