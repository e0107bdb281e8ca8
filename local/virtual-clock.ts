/** How a local service tells time. */
export interface ClockOptions {
  /**
   * The underlying time source in epoch milliseconds.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * How many service milliseconds pass per millisecond of `clock`, so that a
   * demo can run a 20-minute deployment in a few real seconds.
   * @default 1
   */
  readonly timeScale?: number;
}

/**
 * Service time: the underlying clock, sped up by `timeScale`, plus whatever
 * tests skip with `advance()`. Deployments read it lazily, so nothing runs on
 * timers and a test can jump hours ahead in one call.
 */
export class VirtualClock {
  private readonly source: () => number;
  private readonly timeScale: number;
  private readonly origin: number;
  private skipped = 0;

  constructor(options: ClockOptions = {}) {
    // Read Date.now at each call, so a test's shared clock (which replaces it) is followed.
    this.source = options.clock ?? (() => Date.now());
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) {
      throw new Error(`timeScale must be a positive number, got ${this.timeScale}`);
    }
    this.origin = this.source();
  }

  /** Service time in epoch milliseconds. */
  now(): number {
    return this.origin + (this.source() - this.origin) * this.timeScale + this.skipped;
  }

  /** Moves service time forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (ms < 0) {
      throw new Error(`time only moves forward, got advance(${ms})`);
    }
    this.skipped += ms;
  }
}
