import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { TargetInput } from '../contract';
import { EVENT_PATTERN_MAX_CHARS } from '../private/quotas';
import { RuleDelivery } from '../private/rule-delivery';
import { validationError } from '../private/validate';

/**
 * Adds the rules that send the handler a target's deployment starts
 * (`eventPattern`, which names no alarm), delivered like the alarm rules.
 * The alarms are cut into the same groups as the alarm rules, so each
 * rule's input stays within EventBridge's input limit; each rule's
 * invocation reads its own group, and the per-deployment claim makes a
 * start that several groups find firing end in one action.
 */
export function addStartRules(delivery: RuleDelivery, scope: Construct, id: string, target: TargetInput,
  eventPattern: Record<string, unknown>, description: string): events.Rule[] {
  const patternChars = JSON.stringify(Stack.of(scope).resolve(eventPattern)).length;
  if (patternChars > EVENT_PATTERN_MAX_CHARS) {
    throw validationError(scope, `the start rule's event pattern has ${patternChars} characters; EventBridge allows ${EVENT_PATTERN_MAX_CHARS}`,
      'Use a shorter environment or stack name');
  }
  // AWS services send their events to the default bus of their account and
  // Region only ("Events from AWS services", EventBridge User Guide), so a
  // start rule stays there whatever bus the alarm rules use.
  return delivery.addGroupedRules(scope, id, target, delivery.defaultBus, {
    idBase: 'StartRule',
    // `-s` after the hash: no alarm rule's name ends that way, and no other target's starts with it.
    nameSuffix: '-s',
    description,
    eventPattern: () => eventPattern as events.EventPattern,
  });
}
