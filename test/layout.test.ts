import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';

/**
 * One file per concept (docs/layout.md): a source file of src/ or lambda/
 * grows past this only with a reason written at its top, in its first
 * comment lines, as a line starting `// Over 400 lines because`.
 */
const MAX_LINES = 400;
const ROOT = join(__dirname, '..');
const REASON = /^\/\/ Over 400 lines because \S/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The comment lines a file opens with, up to its first line of code. */
function openingComments(text: string): string[] {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('//'));
  return lines.slice(0, end === -1 ? lines.length : end).map((line) => line.trim());
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('the source layout', () => {
  const files = ['src', 'lambda'].flatMap((dir) => sourceFiles(join(ROOT, dir)));

  it('finds the sources it checks', () => {
    expect(files.some((file) => file.endsWith(join('src', 'alarm-rollback.ts')))).toBe(true);
    expect(files.some((file) => file.endsWith(join('lambda', 'rollback', 'rollback.lambda.ts')))).toBe(true);
  });

  it(`keeps every source file of src/ and lambda/ at ${MAX_LINES} lines or fewer, unless its top says why`, () => {
    const tooLong = files
      .map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }))
      .filter(({ text }) => lineCount(text) > MAX_LINES && !openingComments(text).some((line) => REASON.test(line)))
      .map(({ file, text }) => `${file} (${lineCount(text)} lines)`);
    expect(tooLong).toEqual([]);
  });

  it('reads a reason only from the comments a file opens with', () => {
    expect(openingComments('// Over 400 lines because the API docs live here.\n// More.\nimport x from "y";\n// Over 400 lines because not here')).toEqual([
      '// Over 400 lines because the API docs live here.', '// More.',
    ]);
    expect(openingComments('import x from "y";\n// Over 400 lines because too late').some((line) => REASON.test(line))).toBe(false);
    expect(lineCount('a\nb\n')).toBe(2);
  });
});
