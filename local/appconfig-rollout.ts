/** AppConfig's DeploymentState enum (service model `DeploymentState`). */
export type DeploymentState = 'VALIDATING' | 'DEPLOYING' | 'BAKING' | 'COMPLETE' | 'ROLLING_BACK' | 'ROLLED_BACK' | 'REVERTED';
/** AppConfig's GrowthType enum. */
export type GrowthType = 'LINEAR' | 'EXPONENTIAL';
/** AppConfig's TriggeredBy enum: who caused a deployment event. */
export type TriggeredBy = 'USER' | 'APPCONFIG' | 'CLOUDWATCH_ALARM' | 'INTERNAL_ERROR';
/** AppConfig's DeploymentEventType enum. */
export type DeploymentEventType =
  | 'PERCENTAGE_UPDATED' | 'ROLLBACK_STARTED' | 'ROLLBACK_COMPLETED' | 'BAKE_TIME_STARTED'
  | 'DEPLOYMENT_STARTED' | 'DEPLOYMENT_COMPLETED' | 'REVERT_COMPLETED';

/** The strategy fields a deployment copies when it starts. */
export interface RolloutStrategy {
  readonly deploymentDurationInMinutes: number;
  readonly growthFactor: number;
  readonly growthType: GrowthType;
  readonly finalBakeTimeInMinutes: number;
}

/** One EventLog entry, `at` in epoch milliseconds. */
export interface RolloutEvent {
  readonly type: DeploymentEventType;
  readonly triggeredBy: TriggeredBy;
  readonly description: string;
  readonly at: number;
}

/** Where an unstopped deployment stands at some moment. */
export interface RolloutProgress {
  readonly state: 'DEPLOYING' | 'BAKING' | 'COMPLETE';
  readonly percentageComplete: number;
  /** When the bake time ended, once COMPLETE. */
  readonly completedAt?: number;
  /** Events up to that moment, oldest first. */
  readonly events: RolloutEvent[];
}

const MINUTE = 60_000;

/**
 * The percentage reached at each step. LINEAR adds `growthFactor` percent per
 * step; EXPONENTIAL reaches growthFactor * 2^(step-1) percent, the formula the
 * AppConfig user guide gives for exponential strategies.
 */
export function growthSteps(strategy: RolloutStrategy): number[] {
  const steps: number[] = [];
  for (let step = 1; steps.length === 0 || steps[steps.length - 1] < 100; step++) {
    const reached = strategy.growthType === 'LINEAR'
      ? strategy.growthFactor * step
      : strategy.growthFactor * 2 ** (step - 1);
    steps.push(Math.min(100, reached));
  }
  return steps;
}

/**
 * Replays a deployment from its start to `now`: the steps are spread evenly
 * over DeploymentDurationInMinutes (100% at its end), then BAKING lasts
 * FinalBakeTimeInMinutes, then COMPLETE. Computed on every read so the state
 * follows whatever clock the service runs on.
 */
export function rolloutAt(strategy: RolloutStrategy, startedAt: number, now: number): RolloutProgress {
  const duration = strategy.deploymentDurationInMinutes * MINUTE;
  const bakeEnd = duration + strategy.finalBakeTimeInMinutes * MINUTE;
  const elapsed = now - startedAt;
  const steps = growthSteps(strategy);
  const interval = duration / steps.length;

  const events: RolloutEvent[] = [
    { type: 'DEPLOYMENT_STARTED', triggeredBy: 'USER', description: 'Deployment started', at: startedAt },
  ];
  let percentageComplete = 0;
  steps.forEach((percentage, index) => {
    const offset = interval * (index + 1);
    if (offset <= elapsed) {
      percentageComplete = percentage;
      events.push({
        type: 'PERCENTAGE_UPDATED',
        triggeredBy: 'APPCONFIG',
        description: `Configuration available to ${percentage.toFixed(2)}% of clients`,
        at: startedAt + offset,
      });
    }
  });
  if (elapsed < duration) {
    return { state: 'DEPLOYING', percentageComplete, events };
  }
  events.push({ type: 'BAKE_TIME_STARTED', triggeredBy: 'APPCONFIG', description: 'Deployment bake time started', at: startedAt + duration });
  if (elapsed < bakeEnd) {
    return { state: 'BAKING', percentageComplete: 100, events };
  }
  events.push({ type: 'DEPLOYMENT_COMPLETED', triggeredBy: 'APPCONFIG', description: 'Deployment completed', at: startedAt + bakeEnd });
  return { state: 'COMPLETE', percentageComplete: 100, completedAt: startedAt + bakeEnd, events };
}
