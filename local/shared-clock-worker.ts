// The shared memory of local/shared-clock.ts and the worker's side of it: the
// start-up code each handler worker runs before the handler loads.

/** Threads (workers) one clock can serve at once; a slot is reused after its worker ends. */
export const MAX_SLOTS = 256;
// Float64 cells: [0] the offset, [1 + slot] the slot's earliest timer deadline.
export const OFFSET = 0;
export const DEADLINE = 1;
// Int32 cells.
export const EPOCH = 0; // bumped on every activity anywhere
export const INVOKING = 1; // invocations posted to workers and not yet answered
export const BUSY = 2; // [BUSY + slot]: 1 while the slot's worker is not idle
export const MESSAGES = BUSY + MAX_SLOTS; // [MESSAGES + slot]: undelivered messages to or from the slot's worker
export const MAX_WAITING_REQUESTS = 4;
// [PORTS + slot * (1 + MAX_WAITING_REQUESTS)]: how many requests a waiting worker (BUSY 2) has in flight,
// then the local port of each: it is idle if a server holds every one of them in an injected latency.
export const PORTS = MESSAGES + MAX_SLOTS;
/** BUSY of a worker that waits on nothing but its HTTP requests. */
export const WAITING_ON_REQUESTS = 2;
export const INT_CELLS = PORTS + MAX_SLOTS * (1 + MAX_WAITING_REQUESTS);

/** The key of the message that tells a worker time moved. */
export const CLOCK_MESSAGE = '__sharedClockMoved';

/**
 * Worker start-up code (plain JavaScript, run before the handler loads) that
 * puts the worker on the shared clock of `workerData.clock`: Date,
 * performance.now and setTimeout/clearTimeout follow it. It defines
 * `clockMessage(message)` (true for a clock message, which it handles),
 * `clockReceived()` and `clockPosting()` for the invocation messages,
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
