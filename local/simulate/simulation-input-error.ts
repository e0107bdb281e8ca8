/**
 * Bad input to `simulate`: a missing or unreadable file, an assembly without
 * the library's rules, an invalid state file. The CLI prints the message as
 * one line, without a stack trace, and exits 1. Messages say what to fix.
 */
export class SimulationInputError extends Error {
  public readonly name = 'SimulationInputError';
}
