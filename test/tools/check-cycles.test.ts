import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { CHECKED_FOLDERS, findCycles, importGraph, importsOf } from '../../tools/check-cycles';

const ROOT = join(__dirname, '..', '..');

/** Writes `files` (path -> source) under a fresh folder and returns it. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the import cycle check', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const cyclesIn = (files: Record<string, string>): string[][] => {
    const dir = fixture(files);
    dirs.push(dir);
    return findCycles(importGraph([dir])).map((cycle) => cycle.map((file) => relative(dir, file)));
  };

  it('finds a circle between an interface file and a registry that loads the runners importing it, and prints its path', () => {
    expect(cyclesIn({
      'registry.ts': "import type { Runner } from './runner';\nexport const load = () => import('./kinds/a');\nexport type { Runner };\n",
      'kinds/a.ts': "import type { Runner } from '../registry';\nexport const a: Runner | undefined = undefined;\n",
      'runner.ts': 'export interface Runner { run(): void }\n',
    })).toEqual([['kinds/a.ts', 'registry.ts', 'kinds/a.ts']]);
  });

  it('finds a longer cycle through a folder index and a require()', () => {
    expect(cyclesIn({
      'a.ts': "export * from './b';\n",
      'b/index.ts': "import { c } from '../c';\nexport const b = c;\n",
      'c.ts': "export const c = require('./a');\n",
    })).toEqual([['a.ts', 'b/index.ts', 'c.ts', 'a.ts']]);
  });

  it('finds a file that imports itself', () => {
    expect(cyclesIn({ 'self.ts': "import './self';\n" })).toEqual([['self.ts', 'self.ts']]);
  });

  it('passes a graph without cycles, ignoring packages and JSON files', () => {
    expect(cyclesIn({
      'entry.ts': "import { shared } from './shared/one';\nimport data from './data.json';\nimport * as fs from 'fs';\nexport const x = [shared, data, fs];\n",
      'shared/one.ts': "import { two } from './two';\nexport const shared = two;\n",
      'shared/two.ts': 'export const two = 2;\n',
      'data.json': '{}',
    })).toEqual([]);
  });

  it('reads every kind of relative import: static, type-only, re-export, import() and require()', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "const d = () => import('./d');",
      "const e = require('./e');",
      "type F = import('./f').F;",
      "import g = require('./g');",
      "import 'h';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual(['./a', '../b', './c', './d', './e', './f', './g']);
  });

  it('finds no cycle in the repository\'s own sources', () => {
    const graph = importGraph(CHECKED_FOLDERS.map((folder) => join(ROOT, folder)));
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)))).toEqual([]);
  });
});
