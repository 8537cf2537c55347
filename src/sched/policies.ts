// Each policy reduced to three rules the engine asks about: which ready job goes first,
// whether a ready job takes a CPU from a running one, and how long a time slice is.
// Ties always break by arrival, then by id, so every run is deterministic.
import { compareIds } from './compare-ids.js';
import { type JobRun, untilNextStop } from './job-run.js';
import { EPSILON } from './time.js';
import type { Policy } from './types.js';

export interface PolicyRules {
  /** Negative when `a` should run before `b`. */
  compare(a: JobRun, b: JobRun): number;
  /** True when the ready `candidate` should take the CPU from the running `running`. */
  preempts(candidate: JobRun, running: JobRun): boolean;
  /** The time slice `run` gets, or undefined to run until it blocks or ends. */
  quantum(run: JobRun): number | undefined;
  /** Called when `run` used its whole time slice. */
  onQuantumUsed(run: JobRun): void;
  /** MLFQ: the level shown on slices; undefined for the others. */
  readonly levels: boolean;
}

function byArrivalThenId(a: JobRun, b: JobRun): number {
  return a.job.arrival - b.job.arrival || compareIds(a.job.id, b.job.id);
}

function byReadyQueue(a: JobRun, b: JobRun): number {
  return a.readySince - b.readySince || byArrivalThenId(a, b);
}

function byShortestNextBurst(a: JobRun, b: JobRun): number {
  return untilNextStop(a) - untilNextStop(b) || byArrivalThenId(a, b);
}

const priorityOf = (run: JobRun): number => run.job.priority ?? 0;

function byPriority(a: JobRun, b: JobRun): number {
  return priorityOf(a) - priorityOf(b) || byArrivalThenId(a, b);
}

const never = (): boolean => false;
const noQuantum = (): undefined => undefined;
const nothing = (): void => {};

export function rulesFor(policy: Policy): PolicyRules {
  switch (policy.kind) {
    case 'fcfs':
      return { compare: byReadyQueue, preempts: never, quantum: noQuantum, onQuantumUsed: nothing, levels: false };
    case 'sjf':
      return {
        compare: byShortestNextBurst,
        preempts: never,
        quantum: noQuantum,
        onQuantumUsed: nothing,
        levels: false,
      };
    case 'srtf':
      return {
        compare: byShortestNextBurst,
        preempts: (candidate, running) => untilNextStop(candidate) < untilNextStop(running) - EPSILON,
        quantum: noQuantum,
        onQuantumUsed: nothing,
        levels: false,
      };
    case 'priority':
      return {
        compare: byPriority,
        preempts: policy.preemptive ? (candidate, running) => priorityOf(candidate) < priorityOf(running) : never,
        quantum: noQuantum,
        onQuantumUsed: nothing,
        levels: false,
      };
    case 'rr': {
      const { quantum } = policy;
      return { compare: byReadyQueue, preempts: never, quantum: () => quantum, onQuantumUsed: nothing, levels: false };
    }
    case 'mlfq': {
      const { quanta } = policy;
      const lowest = quanta.length - 1;
      return {
        compare: (a, b) => a.level - b.level || byReadyQueue(a, b),
        preempts: (candidate, running) => candidate.level < running.level,
        quantum: (run) => quanta[run.level],
        onQuantumUsed: (run) => {
          run.level = Math.min(run.level + 1, lowest);
        },
        levels: true,
      };
    }
  }
}
