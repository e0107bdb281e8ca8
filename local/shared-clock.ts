import { channel } from 'diagnostics_channel';
import type { ClientRequest } from 'http';

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

/** Threads (workers) one clock can serve at once; a slot is reused after its worker ends. */
const MAX_SLOTS = 256;
// Float64 cells: [0] the offset, [1 + slot] the slot's earliest timer deadline.
const OFFSET = 0;
const DEADLINE = 1;
// Int32 cells.
const EPOCH = 0; // bumped on every activity anywhere
const INVOKING = 1; // invocations posted to workers and not yet answered
const BUSY = 2; // [BUSY + slot]: 1 while the slot's worker is not idle
const MESSAGES = BUSY + MAX_SLOTS; // [MESSAGES + slot]: undelivered messages to or from the slot's worker
const MAX_WAITING_REQUESTS = 4;
// [PORTS + slot * (1 + MAX_WAITING_REQUESTS)]: how many requests a waiting worker (BUSY 2) has in flight,
// then the local port of each: it is idle if a server holds every one of them in an injected latency.
const PORTS = MESSAGES + MAX_SLOTS;
/** BUSY of a worker that waits on nothing but its HTTP requests. */
const WAITING_ON_REQUESTS = 2;
const INT_CELLS = PORTS + MAX_SLOTS * (1 + MAX_WAITING_REQUESTS);

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
    this.times[OFFSET] += target - now;
    this.quietChecks = 0;
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

/** The key of the message that tells a worker time moved. */
export const CLOCK_MESSAGE = '__sharedClockMoved';

/**
 * Worker start-up code (plain JavaScript, run before the handler loads) that
 * puts the worker on the shared clock of `workerData.clock`: Date,
 * performance.now and setTimeout/clearTimeout follow it. It defines
 * `clockMessage(message)` (true for a clock message, which it handles),
 * `clockReceived()` and `clockPosting(answer)` for the invocation messages,
 * so the main thread knows when the worker is idle.
 */
export const WORKER_CLOCK = `
let clockMessage = () => false;
let clockReceived = () => {};
let clockPosting = () => {};
if (workerData.clock) {
  const { buffer, slot } = workerData.clock;
  const MAX_SLOTS = ${MAX_SLOTS};
  const times = new Float64Array(buffer, 0, 1 + MAX_SLOTS);
  const cells = new Int32Array(buffer, Float64Array.BYTES_PER_ELEMENT * (1 + MAX_SLOTS), ${INT_CELLS});
  const RealDate = Date;
  const realDateNow = Date.now;
  const realPerformanceNow = performance.now.bind(performance);
  const realSetTimeout = setTimeout;
  const realClearTimeout = clearTimeout;
  const realSetImmediate = setImmediate;
  const offset = () => times[${OFFSET}];
  const now = () => realDateNow() + offset();
  function VirtualDate(...args) {
    if (!new.target) return new RealDate(now()).toString();
    return args.length === 0 ? new RealDate(now()) : new RealDate(...args);
  }
  VirtualDate.prototype = RealDate.prototype;
  Object.setPrototypeOf(VirtualDate, RealDate);
  VirtualDate.now = now;
  globalThis.Date = VirtualDate;
  performance.now = () => realPerformanceNow() + offset();

  const requests = new Set();
  const timers = new Map();
  let nextId = 1;
  const touch = () => {
    Atomics.store(cells, ${BUSY} + slot, 1);
    Atomics.add(cells, ${EPOCH}, 1);
    settle();
  };
  const publish = () => {
    let earliest = Infinity;
    for (const timer of timers.values()) earliest = Math.min(earliest, timer.deadline);
    times[${DEADLINE} + slot] = earliest;
  };
  // Resources a waiting thread holds: timers, idle keep-alive sockets (their
  // requests are counted apart), its message port and its console.
  const WAITING = new Set(['Timeout', 'Immediate', 'TCPSocketWrap', 'MessagePort', 'TTYWrap', 'PipeWrap', 'SignalWrap']);
  let settling = false;
  function settle() {
    if (settling) return;
    settling = true;
    realSetImmediate(() => {
      settling = false;
      const t = now();
      let due = false;
      for (const timer of timers.values()) if (timer.deadline <= t) due = true;
      const io = process.getActiveResourcesInfo().some((kind) => !WAITING.has(kind));
      if (due || io) {
        realSetTimeout(settle, 1);
        return;
      }
      if (requests.size === 0) {
        Atomics.store(cells, ${BUSY} + slot, 0);
        return;
      }
      const ports = [...requests].map((request) => request.socket?.localPort);
      if (ports.length > ${MAX_WAITING_REQUESTS} || ports.some((port) => !port)) {
        // Still connecting: look again until each request has its port.
        realSetTimeout(settle, 2);
        return;
      }
      const base = ${PORTS} + slot * ${1 + MAX_WAITING_REQUESTS};
      ports.forEach((port, k) => Atomics.store(cells, base + 1 + k, port));
      Atomics.store(cells, base, ports.length);
      Atomics.store(cells, ${BUSY} + slot, ${WAITING_ON_REQUESTS});
    });
  }
  class VirtualTimeout {
    constructor(id, callback, args, delay) {
      this.id = id; this.callback = callback; this.args = args; this.delay = delay; this.referenced = true;
      this.deadline = now() + delay;
    }
    ref() { this.referenced = true; this.real?.ref(); return this; }
    unref() { this.referenced = false; this.real?.unref(); return this; }
    hasRef() { return this.referenced; }
    refresh() { if (timers.has(this.id)) { this.deadline = now() + this.delay; arm(this); publish(); } return this; }
    close() { clear(this); return this; }
    [Symbol.toPrimitive]() { return this.id; }
  }
  const fire = (timer) => {
    if (timers.get(timer.id) !== timer) return;
    if (timer.deadline > now()) { arm(timer); return; }
    timers.delete(timer.id);
    publish();
    touch();
    timer.callback(...timer.args);
  };
  function arm(timer) {
    if (timer.real) realClearTimeout(timer.real);
    timer.real = realSetTimeout(fire, Math.max(0, timer.deadline - now()), timer);
    if (!timer.referenced) timer.real.unref();
  }
  function clear(handle) {
    const id = handle instanceof VirtualTimeout ? handle.id : typeof handle === 'number' ? handle : undefined;
    const timer = id === undefined ? undefined : timers.get(id);
    if (timer) {
      timers.delete(id);
      realClearTimeout(timer.real);
      publish();
    } else if (handle && !(handle instanceof VirtualTimeout)) {
      realClearTimeout(handle);
    }
  }
  globalThis.setTimeout = (callback, delay, ...args) => {
    const ms = Number(delay);
    const timer = new VirtualTimeout(nextId++, callback, args, ms >= 1 && ms <= 2147483647 ? ms : 1);
    timers.set(timer.id, timer);
    arm(timer);
    publish();
    return timer;
  };
  globalThis.clearTimeout = clear;

  const diagnostics = require('node:diagnostics_channel');
  diagnostics.subscribe('http.client.request.start', ({ request }) => {
    requests.add(request);
    touch();
    request.once('close', () => { requests.delete(request); touch(); });
  });
  clockMessage = (message) => {
    if (!message || message.${CLOCK_MESSAGE} !== true) return false;
    Atomics.store(cells, ${BUSY} + slot, 1);
    for (const timer of timers.values()) arm(timer);
    Atomics.sub(cells, ${MESSAGES} + slot, 1);
    touch();
    return true;
  };
  clockReceived = () => {
    Atomics.store(cells, ${BUSY} + slot, 1);
    Atomics.sub(cells, ${MESSAGES} + slot, 1);
    touch();
  };
  clockPosting = () => {
    Atomics.add(cells, ${MESSAGES} + slot, 1);
    touch();
  };
  touch();
}
`;
