// dynalite ships no type declarations; this covers the part the tests use.
declare module 'dynalite' {
  import { Server } from 'http';

  interface DynaliteOptions {
    /** Milliseconds a table stays CREATING. */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** Directory for a persistent LevelDB store; in memory if unset. */
    path?: string;
    ssl?: boolean;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
