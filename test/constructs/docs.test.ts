import { readFileSync } from 'fs';
import { join } from 'path';
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
  const file = join(ROOT, 'src', 'rollback-outcome.ts');
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
