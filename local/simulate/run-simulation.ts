import { Simulation, SimulationOptions } from './simulation';
import { SimulationReport } from './simulation-report';

export interface RunSimulationOptions extends SimulationOptions {
  /** The events, delivered in order, each with where it came from. */
  readonly events: readonly { readonly source: string; readonly event: unknown }[];
}

/** Runs a whole simulation: start, deliver every event in order, report, close. */
export async function runSimulation(options: RunSimulationOptions): Promise<SimulationReport> {
  const simulation = await Simulation.start(options);
  try {
    for (const { source, event } of options.events) {
      await simulation.deliver(event, source);
    }
    return await simulation.report();
  } finally {
    await simulation.close();
  }
}
