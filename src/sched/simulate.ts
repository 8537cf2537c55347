// simulate(): validates its arguments once, then runs the event-driven engine with the
// policy's rules and derives the statistics. Pure and deterministic: same input, same Schedule.
import { Engine } from './engine.js';
import { buildSchedule } from './metrics.js';
import { rulesFor } from './policies.js';
import type { Job, Policy, Schedule, SimulateOptions } from './types.js';
import { validateJobs, validateOptions, validatePolicy } from './validate.js';

export function simulate(jobs: Job[], policy: Policy, options?: SimulateOptions): Schedule {
  validateJobs(jobs);
  validatePolicy(policy);
  const { cpus, contextSwitch } = validateOptions(options);
  const boost = policy.kind === 'mlfq' ? policy.boost : undefined;
  const result = new Engine(jobs, rulesFor(policy), cpus, contextSwitch, boost).run();
  return buildSchedule(result, cpus);
}
