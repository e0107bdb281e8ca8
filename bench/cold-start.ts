import { execFile } from 'child_process';
import { promisify } from 'util';
import { median } from './statistics';

const run = promisify(execFile);

// Measured inside the fresh process, from before the first import to after
// the last, so node's own start-up is not in the figure. The files load in
// order, as they would on Lambda: the entry at init, the chunks on the first
// event. When `build` names an export of the last file, the loader then times
// that factory building a client with no options, on its own.
const LOADER = `
const [files, build] = JSON.parse(process.argv[1]);
const started = process.hrtime.bigint();
(async () => {
  let last;
  for (const file of files) {
    last = file.endsWith('.mjs') ? await import(file) : require(file);
  }
  const loaded = process.hrtime.bigint();
  let built = 0n;
  if (build) {
    last[build]({});
    built = process.hrtime.bigint() - loaded;
  }
  process.stdout.write(JSON.stringify([Number(loaded - started) / 1e6, Number(built) / 1e6]));
})();
`;

/** A bundle to load in fresh processes: its files, in the order an AppConfig event loads them. */
export interface ColdStartSubject {
  readonly files: string[];
  /** An export of the last file that builds a client: timed apart from the load. */
  readonly buildClient?: string;
}

export interface ColdStart {
  /** Median module load. */
  readonly loadMs: number;
  /** Median time `buildClient` took, or 0. */
  readonly buildMs: number;
}

/**
 * Median module-load time of each subject over `runs` fresh Node processes.
 * Each round loads every subject once, starting with a different one each
 * round, so machine noise and the file cache fall on all of them alike.
 */
export async function coldStarts<K extends string>(subjects: Record<K, ColdStartSubject>, runs: number): Promise<Record<K, ColdStart>> {
  const names = Object.keys(subjects) as K[];
  const times = new Map<K, Array<[number, number]>>(names.map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      times.get(name)!.push(await loadTime(subjects[name]));
    }
  }
  return Object.fromEntries(names.map((name) => {
    const samples = times.get(name)!;
    return [name, { loadMs: median(samples.map(([load]) => load)), buildMs: median(samples.map(([, build]) => build)) }];
  })) as Record<K, ColdStart>;
}

async function loadTime(subject: ColdStartSubject): Promise<[number, number]> {
  const { stdout } = await run(process.execPath, ['-e', LOADER, JSON.stringify([subject.files, subject.buildClient])], {
    env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout) as [number, number];
}
