/**
 * `npx projen check:cycles`: fails when the import graph of the repository's
 * source folders has a cycle, and prints each cycle's path.
 *
 * Every relative import counts: static, type-only, re-exports, `import()`
 * and `require()`. A type-only or lazily loaded edge is still a dependency a
 * reader has to hold, and the layering (`lambda/shared` below the features,
 * a runner's interface apart from the registry that loads runners) is only
 * as clean as its weakest edge. Built on the TypeScript compiler API, which
 * the project already has, so the check adds no dependency.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

/** The folders whose import graph is checked, relative to the repository root. */
export const CHECKED_FOLDERS = ['src', 'lambda', 'local', 'packages'];

/** Relative module specifiers of one file, in source order. */
export function importsOf(file: string, text: string = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
      && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'));
}

/** The TypeScript file a relative specifier names, or undefined (a JSON file, or a file outside the sources). */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) {
      return candidate;
    }
  }
  return undefined;
}

/** Every hand-written `.ts` file under `dir` (declaration files and node_modules left out). */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The import graph of the `.ts` files under `folders`: file -> the files it imports. */
export function importGraph(folders: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of folders.flatMap((folder) => sourceFiles(resolve(folder)))) {
    const targets = importsOf(file).map((specifier) => resolveImport(file, specifier)).filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * One cycle per strongly connected component of the graph (Tarjan's
 * algorithm), each as the path of files that closes it: `[a, b, a]`. A file
 * that imports itself is a cycle too. Files outside the graph's keys (imported
 * from the checked folders but lying elsewhere) are followed as well.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const edges = (file: string) => graph.get(file) ?? [];

  // Iterative, so a deep import chain cannot overflow the call stack.
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ file: string; edge: number }> = [{ file: root, edge: 0 }];
    index.set(root, next); low.set(root, next); next++;
    stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges(frame.file);
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++];
        if (!index.has(target)) {
          index.set(target, next); low.set(target, next); next++;
          stack.push(target); onStack.add(target);
          work.push({ file: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].file;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.file)!));
      }
      if (low.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.file);
        if (component.length > 1 || edges(frame.file).includes(frame.file)) {
          components.push(component);
        }
      }
    }
  }
  return components.map((component) => cyclePath(component, edges));
}

/** A path through `component` from its first file (in sorted order) back to it. */
function cyclePath(component: string[], edges: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  // Breadth-first from the start, within the component, to the shortest way back.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of edges(file)) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

function main(): void {
  const root = resolve(__dirname, '..');
  const graph = importGraph(CHECKED_FOLDERS.map((folder) => join(root, folder)));
  const cycles = findCycles(graph);
  if (cycles.length === 0) {
    console.log(`No import cycle among ${graph.size} files of ${CHECKED_FOLDERS.join('/, ')}/.`);
    return;
  }
  for (const cycle of cycles) {
    console.error(`Import cycle: ${cycle.map((file) => relative(root, file)).join(' -> ')}`);
  }
  console.error(`${cycles.length} import ${cycles.length === 1 ? 'cycle' : 'cycles'}: move what both sides need into a module of its own that imports neither (an interface apart from the code that loads its implementations), then run \`npx projen check:cycles\` again.`);
  process.exitCode = 1;
}

if (require.main === module) {
  main();
}
