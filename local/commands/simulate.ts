import { Command, runCommand } from './command';
import { parseFlags, UsageError } from './flags';

const usage = 'usage: cdk-alarm-rollback simulate --assembly cdk.out [--state state.json] [--event alarm.json ...] [--run-minutes N] [--json]';

/** `simulate`: the assembly's rules and bundled handler, run locally against the events. */
export const simulateCommand: Command = {
  usage,
  help: `${usage}

Runs your synthesized app's rollback rules and the bundled rollback handler
locally, against local AppConfig, Proton and DynamoDB, and shows what each
alarm event would do: the rules it matches, the API calls, the deployment's
state before and after, the outcome and the ledger record. No AWS account is
used. The timeline starts with each rule and the alarm ARNs it watches.

Several stacks, accounts and Regions: each event arrives on the default
event bus of its own "account" and "region". Rules there act: a rollback
rule invokes its handler; a rule whose target is an event bus puts the event,
unchanged, on that bus when the rule's role allows events:PutEvents on it and,
for a bus of another account, the bus's resource policy allows the sending
account (principal, action, resource, and StringEquals/StringLike/ArnEquals/
ArnLike conditions on events:source, events:detail-type, aws:PrincipalOrgID,
aws:PrincipalAccount, aws:SourceArn). A condition or element simulate does
not model makes the statement not match, and the report names it. A refused
put is dead-lettered at the forwarding rule (dropped without a queue); an
event that came from another bus is not forwarded again. Each hop is in the
timeline and in --json (events[].hops). Each account and Region has its own
local CloudWatch; the local AppConfig and Proton are shared.

  --assembly DIR   the cloud assembly \`cdk synth\` writes (cdk.out)
  --state FILE     what exists before the alarms fire: AppConfig applications,
                   deployment strategies, deployments and starts, Proton
                   environments, alarm states, the organization and its
                   member accounts for aws:PrincipalOrgID (see
                   docs/simulate.md in the cdk-alarm-rollback repository)
  --event FILE     an EventBridge event (or a list of them), delivered in order;
                   repeat --event for more files; a file may repeat an event.
                   Without --event, the run is the state file's deployment
                   starts and the ticks of running deployments (the
                   alarm-state check), for --run-minutes.
                   "timeMinutesAgo": 3 instead of "time" gives a time relative
                   to the start; an event without "id" gets a fresh UUID. A
                   key an event does not have is refused, with the closest
                   known one.
                   \`cdk-alarm-rollback event\` writes one for an alarm of the
                   assembly; node_modules/cdk-alarm-rollback-cli/samples/
                   has more.
  --run-minutes N  after the events, let N minutes of service time pass, so
                   the alarm-state check runs the ticks of running deployments
                   (one a minute); default 0
  --json           print a machine-readable report instead of the timeline
`,
  run: (args, io) => runCommand('simulate', io, async () => {
    const { values } = parseFlags(args, {
      'assembly': { type: 'string' },
      'state': { type: 'string' },
      'event': { type: 'string', multiple: true },
      'json': { type: 'boolean' },
      'run-minutes': { type: 'string' },
    }, usage);
    const runMinutes = values['run-minutes'] === undefined ? 0 : Number(values['run-minutes']);
    if (!Number.isFinite(runMinutes) || runMinutes < 0 || runMinutes > 24 * 60) {
      throw new UsageError(`--run-minutes must be a number of minutes from 0 to 1440, got ${JSON.stringify(values['run-minutes'])}; ${usage}`);
    }
    if (!values.assembly) throw new UsageError(`simulate needs --assembly (the cdk.out folder of \`cdk synth\`); ${usage}`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- probes the external dependency the bundle leaves out
      require('dynalite');
    } catch {
      // cdk-alarm-rollback-cli depends on it; only a partial install or a copy of the bundle lacks it.
      throw new UsageError('simulate needs dynalite, which cdk-alarm-rollback-cli depends on: npm install --save-dev cdk-alarm-rollback-cli (or dynalite)');
    }
    // The simulation's own DynamoDB client runs on the build machine's Node; its support notice is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Loaded only now, so a missing dynalite is reported above rather than as a load error.
    const simulate = await import('../simulate');
    simulate.readCloudAssembly(values.assembly);
    const state = values.state ? simulate.readStateFile(values.state) : {};
    const now = Date.now();
    const events = (values.event ?? []).flatMap((file) => simulate.readEventFile(file, now));
    const report = await simulate.runSimulation({ assembly: values.assembly, state, events, runMinutes });
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${simulate.formatTimeline(report)}\n`);
  }),
};
