import { Simulation, SimulationOptions } from './simulation';
import { SimulationReport } from './simulation-report';

export interface RunSimulationOptions extends SimulationOptions {
  /** The events, delivered in order, each with where it came from. */
  readonly events: readonly { readonly source: string; readonly event: unknown }[];
  /**
   * Minutes of service time to let pass after the events, running the
   * extension ticks and Proton status changes that become due.
   * @default 0
   */
  readonly runMinutes?: number;
}

/** Runs a whole simulation: start, deliver every event in order, report, close. */
export async function runSimulation(options: RunSimulationOptions): Promise<SimulationReport> {
  const simulation = await Simulation.start(options);
  try {
    for (const { source, event } of options.events) {
      await simulation.deliver(event, source);
    }
    if (options.runMinutes) await simulation.advance(options.runMinutes * 60_000);
    return await simulation.report();
  } finally {
    await simulation.close();
  }
}
