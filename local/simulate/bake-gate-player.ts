import { randomUUID } from 'crypto';
import { AssemblyBakeGate, BakeGateFunction } from './find-bake-gates';
import { BakeGateLimits, BakeGateProperty } from '../../src/contract';
import { LocalCloudFormation } from '../cloudformation-server';
import { HandlerInstance, Invocation } from '../handler-instance';

/** One call of a bake gate's function during the simulation, as the report lists it. */
export interface BakeGateReport {
  /** Service time of the call. */
  readonly at: string;
  readonly stack: string;
  /** The target the gate's properties name. */
  readonly target?: string;
  readonly call: 'onEvent' | 'isComplete';
  /**
   * onEvent: BAKE or SKIP; isComplete: WAIT (bake on), COMPLETE (the update
   * goes on) or FAILED (CloudFormation rolls the update back).
   */
  readonly answer: 'BAKE' | 'SKIP' | 'WAIT' | 'COMPLETE' | 'FAILED';
  /** Why: the bake's end for BAKE, the gate's error for FAILED. */
  readonly reason?: string;
}

interface Hold {
  readonly operationId: string;
  /** The request isComplete gets: onEvent's, with onEvent's answer merged in, as the framework passes it. */
  readonly request: Record<string, unknown>;
  nextPollAt: number;
}

/**
 * Plays CloudFormation and the CDK Provider framework for the assembly's bake
 * gates: when a stack's update reaches its gate, an Update request goes to
 * the gate's onEvent; then isComplete is asked at once and every query
 * interval (30 s of service time) until it answers true (the gate succeeds)
 * or throws (the framework answers FAILED, and CloudFormation rolls the
 * update back). CloudFormation's custom-resource request shapes: User Guide,
 * "Custom resource request types"; the framework's waiter: aws-cdk-lib
 * custom_resources.Provider, `queryInterval`.
 *
 * The gate tells the bake's end by its own clock, which is the local
 * CloudFormation's (the simulation's shared clock: real time plus what
 * `advance()` skipped), so the bake's start and end, the stack's events and
 * the handler's records tell one timeline. A `timeScale` above 1 speeds the
 * other services, not this clock: a bake ends when `advance()` reaches it.
 */
export class BakeGatePlayer {
  public readonly reports: BakeGateReport[] = [];
  private readonly holds = new Map<string, Hold>();
  private readonly instances = new Map<string, HandlerInstance>();

  constructor(
    private readonly gates: readonly AssemblyBakeGate[],
    private readonly cloudFormation: LocalCloudFormation,
    private readonly start: (fn: BakeGateFunction) => HandlerInstance,
  ) {}

  /** Whether the assembly has a bake gate at all. */
  public get hasGates(): boolean {
    return this.gates.length > 0;
  }

  /** Calls every gate that is due: onEvent for a gate just reached, isComplete for a bake whose poll time has come. */
  public async runDue(): Promise<void> {
    for (const gate of this.gates) {
      const stackName = gate.stack.environment.stackName;
      const held = this.holdOf(stackName);
      if (!held) continue;
      let hold = this.holds.get(stackName);
      if (!hold || hold.operationId !== held.operationId) {
        hold = await this.startBake(gate, held);
        if (!hold) continue;
      }
      const now = this.cloudFormation.state.now();
      if (now < hold.nextPollAt) continue;
      hold.nextPollAt = now + BakeGateLimits.QUERY_INTERVAL_SECONDS * 1000;
      const answer = await this.invoke(gate.isComplete, hold.request);
      if (!answer.ok) {
        this.release(gate, false, answer.error?.message ?? 'the gate failed');
      } else if ((answer.result as { IsComplete?: boolean } | undefined)?.IsComplete) {
        this.release(gate, true);
      } else {
        this.report(gate, 'isComplete', 'WAIT');
      }
    }
  }

  /** Stops the gates' functions. */
  public async close(): Promise<void> {
    await Promise.allSettled([...this.instances.values()].map((instance) => instance.kill()));
  }

  private holdOf(stackName: string) {
    try {
      return this.cloudFormation.state.bakeHold(stackName);
    } catch {
      // The stack is not seeded: no target guards it and the state file does not list it.
      return undefined;
    }
  }

  private async startBake(gate: AssemblyBakeGate, held: { since: number; operationId: string }): Promise<Hold | undefined> {
    const stack = this.cloudFormation.state.describeStack(gate.stack.environment.stackName);
    const properties = gate.properties;
    // The gate runs because the rest of the template changed: its hash is not the previous one.
    const old = { ...properties, [BakeGateProperty.TEMPLATE_HASH]: `${String(properties[BakeGateProperty.TEMPLATE_HASH])}-previous` };
    const request: Record<string, unknown> = {
      RequestType: 'Update',
      ServiceToken: properties.ServiceToken,
      ResponseURL: 'https://cloudformation-custom-resource-response.local/',
      StackId: stack.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: gate.logicalId,
      PhysicalResourceId: `${stack.stackId}/${gate.logicalId}`,
      ResourceType: String(gate.stack.template.Resources![gate.logicalId].Type),
      ResourceProperties: properties,
      OldResourceProperties: old,
    };
    const answer = await this.invoke(gate.onEvent, request);
    if (!answer.ok) {
      this.release(gate, false, answer.error?.message ?? 'the gate\'s onEvent failed', 'onEvent');
      return undefined;
    }
    const result = answer.result as { PhysicalResourceId?: string; Data?: { Mode?: string; BakeEndsAt?: string } };
    if (result.Data?.Mode !== 'BAKE') {
      this.report(gate, 'onEvent', 'SKIP');
    } else {
      this.report(gate, 'onEvent', 'BAKE', `baking until ${result.Data.BakeEndsAt} (the gate's clock)`);
    }
    const hold: Hold = { operationId: held.operationId, request: { ...request, ...result }, nextPollAt: this.cloudFormation.state.now() };
    this.holds.set(gate.stack.environment.stackName, hold);
    return hold;
  }

  private release(gate: AssemblyBakeGate, success: boolean, reason?: string, call: 'onEvent' | 'isComplete' = 'isComplete'): void {
    this.report(gate, call, success ? 'COMPLETE' : 'FAILED', reason);
    this.cloudFormation.state.releaseBake(gate.stack.environment.stackName, { success, reason });
  }

  private report(gate: AssemblyBakeGate, call: BakeGateReport['call'], answer: BakeGateReport['answer'], reason?: string): void {
    const target = gate.properties[BakeGateProperty.TARGET];
    this.reports.push({
      at: new Date(this.cloudFormation.state.now()).toISOString(),
      stack: gate.stack.environment.stackName,
      ...(typeof target === 'string' ? { target } : {}),
      call,
      answer,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  private invoke(fn: BakeGateFunction, request: Record<string, unknown>): Promise<Invocation> {
    let instance = this.instances.get(fn.arn);
    if (!instance) {
      instance = this.start(fn);
      this.instances.set(fn.arn, instance);
    }
    return instance.invoke(request, { awsRequestId: randomUUID(), invokedFunctionArn: fn.arn });
  }
}
