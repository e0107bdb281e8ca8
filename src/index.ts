export * from './rollback-outcome';
