import { channel } from 'diagnostics_channel';
import type { ClientRequest } from 'http';
import {
  BUSY, CLOCK_MESSAGE, DEADLINE, EPOCH, INT_CELLS, INVOKING, MAX_SLOTS, MAX_WAITING_REQUESTS, MESSAGES, OFFSET, PORTS, WAITING_ON_REQUESTS,
} from './shared-clock-worker';

export { WORKER_CLOCK } from './shared-clock-worker';

// One virtual time base for the test process and every handler worker it
// starts, so a run waits on no timer for real: when nothing anywhere can make
// progress except by time passing, time jumps to the earliest pending timer.
//
// A thread's time is the real wall clock plus one shared offset, which only
// the main thread moves. Each thread keeps its timers on that time, each
// backed by a real timer for the time still left, so an unmoved clock runs in
// real time. Time jumps only when, for two checks in a row, with nothing
// happening in between:
// - no worker is busy: running code, holding a due timer, or waiting on I/O
//   other than timers (a file read by an import, say);
// - no HTTP request is in flight from any thread (a server still working on
//   an answer, or a hanging one, holds time where it is);
// - no message between the main thread and a worker is undelivered;
// - and something is waiting for time: an invocation under way or a server's
//   injected latency.
// Jumping any earlier would fire a budget (a request timeout, a claim lease)
// while the work it limits still had real time to run.


/** How often the main thread looks for a moment to move time (real milliseconds). */
const CHECK_EVERY_MS = 4;

const realDateNow = Date.now;
let active: SharedClock | undefined;

/** The clock the local servers wait on, if a test installed one. */
export function activeSharedClock(): SharedClock | undefined {
  return active;
}

/** Wall-clock epoch milliseconds, whatever the virtual clock says: for figures that report real durations. */
export function wallClock(): number {
  return realDateNow();
}

/** A Date whose `now()` and argument-less construction read `now`; every other use is the real Date's. */
function virtualDate(RealDate: DateConstructor, now: () => number): DateConstructor {
  function VirtualDate(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new RealDate(now()).toString();
    return args.length === 0 ? new RealDate(now()) : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  VirtualDate.prototype = RealDate.prototype;
  Object.setPrototypeOf(VirtualDate, RealDate);
  (VirtualDate as unknown as { now: () => number }).now = now;
  return VirtualDate as unknown as DateConstructor;
}

/** What a worker needs to join a clock: the shared memory and its slot. */
export interface SharedClockHandle {
  readonly buffer: SharedArrayBuffer;
  readonly slot: number;
}

interface MainTimer {
  readonly deadline: number;
  /** The client port of the request a server holds in this wait. */
  readonly port?: number;
  readonly fire: () => void;
  real?: NodeJS.Timeout;
}

/**
 * The main thread's side of the shared clock: owns the offset, serves the
 * local servers' injected latency as virtual waits, hands slots to handler
 * workers and moves time when the whole process is idle.
 */
export class SharedClock {
  public readonly buffer = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (1 + MAX_SLOTS) + Int32Array.BYTES_PER_ELEMENT * INT_CELLS);
  private readonly times = new Float64Array(this.buffer, 0, 1 + MAX_SLOTS);
  private readonly cells = new Int32Array(this.buffer, Float64Array.BYTES_PER_ELEMENT * (1 + MAX_SLOTS), INT_CELLS);
  private readonly free: number[] = Array.from({ length: MAX_SLOTS }, (_, slot) => MAX_SLOTS - 1 - slot);
  private readonly ports = new Map<number, (message: unknown) => void>();
  private readonly timers = new Set<MainTimer>();
  private readonly requests = new Set<ClientRequest>();
  private checker?: NodeJS.Timeout;
  private realDate?: DateConstructor;
  private lastEpoch = -1;
  private quietChecks = 0;
  /** How far time has jumped in all, in milliseconds. */
  public get skippedMs(): number {
    return this.times[OFFSET];
  }

  constructor() {
    this.times.fill(Infinity, DEADLINE);
  }

  /** Virtual epoch milliseconds. */
  public now(): number {
    return realDateNow() + this.times[OFFSET];
  }

  /** Starts watching for idle moments, and counts this thread's HTTP requests; the local servers' waits follow it. */
  public start(): void {
    if (this.checker) return;
    active = this;
    // This thread's Date follows the clock too, so the events a test builds
    // and the services' time agree with the handler's.
    this.realDate = globalThis.Date;
    globalThis.Date = virtualDate(this.realDate, () => this.now());
    channel('http.client.request.start').subscribe(this.onRequestStart);
    this.checker = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.checker.unref();
  }

  /** Stops moving time; waits still pending end on real time. */
  public stop(): void {
    if (!this.checker) return;
    if (active === this) active = undefined;
    if (this.realDate) globalThis.Date = this.realDate;
    clearInterval(this.checker);
    this.checker = undefined;
    channel('http.client.request.start').unsubscribe(this.onRequestStart);
    this.requests.clear();
  }

  /** A wait of `ms` virtual milliseconds; `cancel` ends it without resolving. */
  public sleep(ms: number, port?: number): { readonly done: Promise<void>; cancel(): void } {
    let timer: MainTimer | undefined;
    const done = new Promise<void>((resolve) => {
      const entry: MainTimer = {
        deadline: this.now() + Math.max(0, ms),
        port,
        fire: () => {
          if (!this.timers.delete(entry)) return;
          if (entry.real) clearTimeout(entry.real);
          this.touch();
          resolve();
        },
      };
      timer = entry;
      this.timers.add(entry);
      this.arm(entry);
    });
    return {
      done,
      cancel: () => {
        if (timer && this.timers.delete(timer) && timer.real) clearTimeout(timer.real);
      },
    };
  }

  /** A slot for a new worker, with the function that posts clock messages to it. */
  public join(post: (message: unknown) => void): SharedClockHandle {
    const slot = this.free.pop();
    if (slot === undefined) throw new Error(`a shared clock serves at most ${MAX_SLOTS} handler instances at once; close some first`);
    this.times[DEADLINE + slot] = Infinity;
    Atomics.store(this.cells, BUSY + slot, 1);
    Atomics.store(this.cells, MESSAGES + slot, 0);
    this.ports.set(slot, post);
    return { buffer: this.buffer, slot };
  }

  /** The worker of `slot` ended: its timers, messages and work count no more. */
  public leave(slot: number): void {
    if (!this.ports.delete(slot)) return;
    this.times[DEADLINE + slot] = Infinity;
    Atomics.store(this.cells, BUSY + slot, 0);
    Atomics.store(this.cells, MESSAGES + slot, 0);
    this.free.push(slot);
    this.touch();
  }

  /** Before posting a message to the worker of `slot`. */
  public posting(slot: number, invocation: boolean): void {
    Atomics.add(this.cells, MESSAGES + slot, 1);
    if (invocation) Atomics.add(this.cells, INVOKING, 1);
    this.touch();
  }

  /** On receiving a message the worker of `slot` posted. */
  public received(slot: number, answer: boolean): void {
    if (this.ports.has(slot)) Atomics.sub(this.cells, MESSAGES + slot, 1);
    if (answer) Atomics.sub(this.cells, INVOKING, 1);
    this.touch();
  }

  /** An invocation ended without an answer (its worker died). */
  public abandoned(): void {
    Atomics.sub(this.cells, INVOKING, 1);
    this.touch();
  }

  private readonly onRequestStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    this.requests.add(request);
    this.touch();
    request.once('close', () => {
      this.requests.delete(request);
      this.touch();
    });
  };

  private touch(): void {
    Atomics.add(this.cells, EPOCH, 1);
  }

  private arm(timer: MainTimer): void {
    if (timer.real) clearTimeout(timer.real);
    timer.real = setTimeout(timer.fire, Math.max(0, timer.deadline - this.now()));
  }

  private check(): void {
    const epoch = Atomics.load(this.cells, EPOCH);
    if (!this.idle()) {
      this.quietChecks = 0;
      return;
    }
    if (epoch !== this.lastEpoch) {
      this.lastEpoch = epoch;
      this.quietChecks = 0;
      return;
    }
    if (++this.quietChecks < 2) return;
    if (Atomics.load(this.cells, INVOKING) <= 0 && this.timers.size === 0) return;
    let target = Infinity;
    for (const timer of this.timers) target = Math.min(target, timer.deadline);
    for (const slot of this.ports.keys()) target = Math.min(target, this.times[DEADLINE + slot]);
    const now = this.now();
    // A due timer fires on real time by itself; Infinity means nothing waits for time.
    if (!Number.isFinite(target) || target <= now) return;
    this.quietChecks = 0;
    this.advance(target - now);
  }

  /**
   * Moves time forward by `ms` at once, as a caller that steps time itself
   * (the simulation's `advance()`) needs: the timers it passes fire, and the
   * workers re-arm theirs on the new time. Without `start()` time moves only
   * so, which keeps the handlers on one clock with a service that reads `now()`.
   */
  public advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`time only moves forward, got advance(${ms})`);
    this.times[OFFSET] += ms;
    this.touch();
    for (const timer of [...this.timers]) {
      if (timer.deadline <= this.now()) timer.fire();
      else this.arm(timer);
    }
    for (const [slot, post] of this.ports) {
      if (this.times[DEADLINE + slot] === Infinity) continue;
      this.posting(slot, false);
      post({ [CLOCK_MESSAGE]: true });
    }
  }

  private idle(): boolean {
    if (this.requests.size > 0) return false;
    let held: Set<number> | undefined;
    for (const slot of this.ports.keys()) {
      if (Atomics.load(this.cells, MESSAGES + slot) !== 0) return false;
      const busy = Atomics.load(this.cells, BUSY + slot);
      if (busy === 0) continue;
      if (busy !== WAITING_ON_REQUESTS) return false;
      held ??= new Set([...this.timers].map((timer) => timer.port).filter((port): port is number => port !== undefined));
      const base = PORTS + slot * (1 + MAX_WAITING_REQUESTS);
      const count = Atomics.load(this.cells, base);
      for (let k = 1; k <= count; k++) {
        if (!held.has(Atomics.load(this.cells, base + k))) return false;
      }
      // The worker may have moved on since it wrote the ports.
      if (Atomics.load(this.cells, BUSY + slot) !== WAITING_ON_REQUESTS) return false;
    }
    return true;
  }
}
