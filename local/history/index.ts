export * from './history-table';
export * from './ledger-reader';
export * from './since';
export * from './stack-ledgers';
