import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ts from 'typescript';
import { alarmArn } from './support';
import { AlarmRollback, RollbackOutcome, RollbackTarget } from '../../src';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const API = readFileSync(join(ROOT, 'API.md'), 'utf8');

/** The doc comment of every RollbackOutcome member, on one line, as written in the source. */
function outcomeDocs(): Map<string, string> {
  const file = join(ROOT, 'src', 'contract', 'rollback-outcome.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  source.forEachChild((node) => {
    if (!ts.isEnumDeclaration(node)) return;
    for (const member of node.members) {
      const comment = ts.getJSDocCommentsAndTags(member).map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(' ');
      docs.set(member.name.getText(source), comment.replace(/\s+/g, ' ').trim());
    }
  });
  return docs;
}

describe('the README and API.md', () => {
  it('show the error that revertCompletedWithin: Duration.hours(96) really throws', () => {
    const shown = /`revertCompletedWithin: Duration\.hours\(96\)` fails with\n`([^`]+)`/.exec(README)?.[1].replace(/\s+/g, ' ');
    const stack = new Stack(new App(), 'MyStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', alarmArn('errors'));
    const add = () => new AlarmRollback(stack, 'Rollback').addTarget('ConfigRollout', {
      alarms: [alarm],
      target: RollbackTarget.appConfig({ applicationId: 'abc1234', environmentId: 'def5678', revertCompletedWithin: Duration.hours(96) }),
    });

    expect(shown).toBeDefined();
    expect(add).toThrow(expect.objectContaining({ message: shown }));
  });

  it('give every outcome its whole doc comment as the API.md summary, and a row in the README table', () => {
    const docs = outcomeDocs();
    expect([...docs.keys()]).toEqual(Object.keys(RollbackOutcome));
    for (const [name, doc] of docs) {
      const summary = new RegExp(`\\| <code><a href="#cdk-alarm-rollback\\.RollbackOutcome\\.${name}">${name}</a></code> \\| (.*) \\|\\n`).exec(API)?.[1];
      expect({ name, summary }).toEqual({ name, summary: doc });
      expect(README).toMatch(new RegExp(`^\\| \`${name}\` \\| \\S.* \\|$`, 'm'));
    }
  });

  it('show RollbackTarget with its factories and no initializer', () => {
    const section = API.slice(API.indexOf('### RollbackTarget <a name="RollbackTarget"'));
    const body = section.slice(0, section.indexOf('\n### ', 1));

    expect(body).toContain('RollbackTarget.appConfig(');
    expect(body).not.toContain('Initializer');
    expect(body).not.toContain('new RollbackTarget(');
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

/** The text outside fenced code blocks, where a link or a heading is one. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
}

/** Every relative link of a markdown file, as the file and heading it points to. */
function relativeLinks(file: string): Array<{ target: string; anchor?: string; text: string }> {
  const links = [...withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)].map(([text, href]) => ({ text, href }));
  return links.filter(({ href }) => !/^[a-z]+:/i.test(href)).map(({ text, href }) => {
    const [path, anchor] = href.split('#');
    return { target: path ? join(dirname(file), path) : file, anchor, text };
  });
}

describe('README.md and docs/', () => {
  const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'docs', name));

  it('keep README.md to at most 400 lines, the rest in docs/', () => {
    expect(README.split('\n').length - (README.endsWith('\n') ? 1 : 0)).toBeLessThanOrEqual(400);
  });

  it('link from README.md to docs/ files that exist, and to every one of them', () => {
    const linked = new Set(relativeLinks(join(ROOT, 'README.md')).map((link) => relative(ROOT, link.target)));
    const toDocs = [...linked].filter((path) => path.startsWith('docs/'));

    expect(toDocs.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
    expect(docs.map((file) => relative(ROOT, file)).filter((path) => !linked.has(path))).toEqual([]);
  });

  it('point every relative link of README.md and docs/ at a file and heading that exist', () => {
    const broken = [join(ROOT, 'README.md'), ...docs].flatMap((file) => relativeLinks(file)
      .filter((link) => !existsSync(link.target) || (link.anchor !== undefined && !anchors(readFileSync(link.target, 'utf8')).has(link.anchor)))
      .map((link) => `${relative(ROOT, file)}: ${link.text}`));

    expect(broken).toEqual([]);
  });

  it('keep the two commands of "Try it on this repository" as CI runs them', () => {
    const section = README.slice(README.indexOf('## Try it on this repository\n'));

    expect(section).toMatch(/^tools\/node 22 npm ci && tools\/node 22 npm run demo +#/m);
    expect(section).toMatch(/^tools\/node 22 npx projen build +#/m);
  });

  it('leave docs/ out of the construct package, which ships lib/, the handler asset, README.md and API.md', () => {
    const ignored = readFileSync(join(ROOT, '.npmignore'), 'utf8').split('\n');

    expect(ignored).toContain('/docs/');
  });
});
