import { performance } from 'perf_hooks';
import { HandlerInstance, startLatencyProxy } from '../local';
import { ALARM_STATE_ENTRY, APPLICATION, LocalStack, environmentId, handlerInstance, startDeployment, startLocalStack, tickInput } from './local-stack';
import { median } from './statistics';
import { HandlerEnv } from '../src/contract';
import { hangingServer } from '../test/support/hanging-server';

/** How long a hanging dependency hangs: far past any answer the check may give. */
const HANG_MS = 10_000;

/** One case of the tick's answer time. */
export interface TickAnswerCase {
  readonly name: string;
  /** Median from starting a fresh instance (worker, module load, first call) to the answer. */
  readonly coldMs: number;
  /** Median from invocation to the answer on a warm instance. */
  readonly warmMs: number;
  /** The directive the check gave, the same in every run of the case. */
  readonly directive: string;
}

interface Setup {
  readonly name: string;
  /** Puts the fault in place; returns the handler's extra environment and a way to take the fault down. */
  readonly arrange: (stack: LocalStack) => Promise<{ env: Record<string, string>; close: () => Promise<void> }>;
}

const SETUPS = (latencyMs: number): Setup[] => [
  {
    name: `every call ${latencyMs} ms late, alarm firing`,
    arrange: async (stack) => {
      const proxy = await startLatencyProxy({ target: stack.dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs }] });
      stack.cloudWatch.faults.add({ operation: '*', fault: 'latency', latencyMs });
      return { env: { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }, close: () => proxy.close() };
    },
  },
  {
    name: 'CloudWatch hanging (read-failure policy ROLL_BACK)',
    arrange: async (stack) => {
      stack.cloudWatch.faults.add({ operation: 'DescribeAlarms', fault: 'latency', latencyMs: HANG_MS });
      return { env: {}, close: async () => undefined };
    },
  },
  {
    name: 'DynamoDB hanging, alarm firing',
    arrange: async (stack) => {
      const proxy = await startLatencyProxy({ target: stack.dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs: HANG_MS }] });
      return { env: { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }, close: () => proxy.close() };
    },
  },
  {
    name: 'SNS hanging, alarm firing, notifying ROLLED_BACK',
    arrange: async () => {
      const sns = await hangingServer();
      return {
        env: { AWS_ENDPOINT_URL_SNS: sns.endpoint, [HandlerEnv.NOTIFICATION_TOPIC_ARN]: 'arn:aws:sns:us-east-1:123456789012:rollbacks' },
        close: () => sns.close(),
      };
    },
  },
];

/**
 * The alarm-state check's tick answer time, cold (a fresh instance: worker,
 * module load and the first call, as a Lambda cold start) and warm, with
 * every call `latencyMs` late and with each dependency hanging. AppConfig
 * waits for this answer synchronously; the check promises it within 2 s.
 */
export async function tickAnswerTimes(latencyMs: number, runs: number): Promise<TickAnswerCase[]> {
  const cases: TickAnswerCase[] = [];
  for (const setup of SETUPS(latencyMs)) {
    const stack = await startLocalStack(1);
    const fault = await setup.arrange(stack);
    const directives = new Set<string>();
    const cold: number[] = [];
    const warm: number[] = [];
    try {
      /** Invokes a tick and answers the moment its answer arrived. */
      const answer = async (instance: HandlerInstance, deployment: number): Promise<number> => {
        const invocation = await instance.invoke(tickInput(deployment));
        const answeredAt = performance.now();
        directives.add(invocation.ok ? (invocation.result as { Directive: string }).Directive : `error ${invocation.error?.name}`);
        // What AppConfig does with a ROLL_BACK, so the next deployment may start.
        stack.appConfig.state.stopDeployment(APPLICATION, environmentId(0), deployment, { allowRevert: true });
        return answeredAt;
      };
      for (let run = 0; run < runs; run++) {
        const first = await startDeployment(stack);
        // Cold: from starting the instance (worker, module load) to the first answer.
        const began = performance.now();
        const instance = withEnv(stack, fault.env);
        try {
          cold.push(await answer(instance, first) - began);
          const next = await startDeployment(stack);
          const sent = performance.now();
          warm.push(await answer(instance, next) - sent);
        } finally {
          await instance.kill();
        }
      }
    } finally {
      await fault.close();
      await stack.close();
    }
    cases.push({ name: setup.name, coldMs: median(cold), warmMs: median(warm), directive: [...directives].join(' / ') });
  }
  return cases;
}

function withEnv(stack: LocalStack, env: Record<string, string>): HandlerInstance {
  if (Object.keys(env).length === 0) {
    return handlerInstance(stack, ALARM_STATE_ENTRY);
  }
  const saved = stack.dynamoEndpoint;
  stack.dynamoEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB ?? saved;
  try {
    return handlerInstance(stack, ALARM_STATE_ENTRY, env);
  } finally {
    stack.dynamoEndpoint = saved;
  }
}
