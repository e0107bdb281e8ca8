/**
 * The alarm-state check's deadline. AppConfig calls the check synchronously
 * and turns a late answer into an error, which rolls the deployment back
 * ("Step 3: Create a custom AWS AppConfig extension", AWS AppConfig User
 * Guide). AWS documents no wait; its Datadog tick sample
 * (aws-samples/aws-appconfig-tick-extn-for-datadog) says AppConfig waits 3
 * seconds. The check answers within 2 seconds of its invocation, cold start
 * included: the handler's own work ends `ANSWER_BUDGET_MS` after it starts,
 * which leaves half a second for the runtime to load the bundle.
 */
export const ANSWER_BUDGET_MS = 1_500;

/**
 * On a cold start, the budget counted from the runtime's start instead
 * (`performance.timeOrigin`: Lambda starts the runtime process at the
 * beginning of its Init phase, "Lambda execution environment lifecycle",
 * AWS Lambda Developer Guide), so a slow Init shortens the handler's share
 * and the answer still comes within 2 s of the invocation.
 */
export const COLD_ANSWER_BUDGET_MS = 1_800;

/**
 * The least the handler keeps for itself on a cold start, however long Init
 * took: with provisioned concurrency (or a runtime started long before its
 * first call, as in a local run) Init is over well before the invocation.
 */
export const MIN_ANSWER_BUDGET_MS = 1_000;

/**
 * The answer deadline of an invocation that starts at `startedAt`; for the
 * first invocation of a runtime, `runtimeStartedAt` is when that runtime
 * started.
 */
export function answerDeadline(startedAt: number, runtimeStartedAt: number | undefined): number {
  const warm = startedAt + ANSWER_BUDGET_MS;
  if (runtimeStartedAt === undefined) {
    return warm;
  }
  return Math.min(warm, Math.max(startedAt + MIN_ANSWER_BUDGET_MS, runtimeStartedAt + COLD_ANSWER_BUDGET_MS));
}

/**
 * How long the answer waits for a notification once the ledger write is
 * done: SNS answers in tens of milliseconds, and a slow topic must not hold
 * the answer (AppConfig waits on it); a publish left unconfirmed is logged
 * and counted, and the record stays in the ledger.
 */
export const NOTIFY_GRACE_MS = 50;

/**
 * Of the budget, what is kept after the alarm read for the claim and the
 * record: a DynamoDB put answers in a few milliseconds, and one that does not
 * is cut here rather than by AppConfig.
 */
export const AFTER_READ_RESERVE_MS = 400;

/** Of the budget, what is kept after the claim for the record. */
export const RECORD_RESERVE_MS = 200;

/** A piece of work that either settled before its deadline or was left behind. */
export type Bounded<T> = { readonly settled: true; readonly value: T } | { readonly settled: false };

/**
 * Waits for `work` until `deadline` (epoch ms, read with `now`), and no longer.
 * Work left behind goes on in the background and its rejection is swallowed:
 * the caller has already said what happens without it.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, now: () => number): Promise<Bounded<T>> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ settled: false }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), Math.max(0, deadline - now()));
  });
  try {
    return await Promise.race([work.then((value) => ({ settled: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
