// The simulator's public data: what goes in (jobs, a policy, options) and what comes out (a
// Schedule). Plain data only, so a Schedule can be printed, compared, saved as JSON or drawn.

/** A CPU burst that stops for I/O: after `after` units of CPU (counted from the job's start), the job blocks for `duration`. */
export interface IoBurst {
  after: number;
  duration: number;
}

export interface Job {
  id: string;
  /** Time the job enters the system (state `new` → `ready`). */
  arrival: number;
  /** Total CPU time the job needs, I/O excluded. */
  burst: number;
  /** For the `priority` policy: a lower number is a higher priority. Default 0. */
  priority?: number | undefined;
  io?: IoBurst[] | undefined;
}

export type Policy =
  | { kind: 'fcfs' }
  | { kind: 'sjf' }
  | { kind: 'srtf' }
  | { kind: 'priority'; preemptive?: boolean | undefined }
  | { kind: 'rr'; quantum: number }
  /** Level i runs with quanta[i]; the last level is round robin. */
  | { kind: 'mlfq'; quanta: number[]; boost?: number | undefined };

export type PolicyKind = Policy['kind'];

export interface SimulateOptions {
  /** Number of CPUs, numbered from 0. Default 1. */
  cpus?: number | undefined;
  /** Time a CPU spends switching from one job's context to another's. Default 0. */
  contextSwitch?: number | undefined;
}

export type State = 'new' | 'ready' | 'running' | 'blocked' | 'terminated';

export interface Slice {
  job: string;
  cpu: number;
  start: number;
  end: number;
  /** MLFQ only: the queue level the job ran at. */
  level?: number;
}

export interface JobStats {
  id: string;
  arrival: number;
  burst: number;
  /** First time the job ran. */
  start: number;
  /** Time the job terminated. */
  completion: number;
  /** Time spent ready but not running: turnaround − burst − I/O time. */
  waiting: number;
  /** completion − arrival. */
  turnaround: number;
  /** start − arrival. */
  response: number;
}

export interface Transition {
  time: number;
  job: string;
  from: State;
  to: State;
}

export interface Schedule {
  slices: Slice[];
  jobs: JobStats[];
  averages: { waiting: number; turnaround: number; response: number };
  transitions: Transition[];
  /** Time the last job terminates (the clock starts at 0). */
  makespan: number;
  /** Busy CPU time / (cpus × makespan). */
  utilization: number;
  /** Beyond API.md: the number of CPUs simulated (so a chart shows idle CPUs too). */
  cpus: number;
  /** Beyond API.md: how many times a CPU switched from one job's context to another's. */
  contextSwitches: number;
}

export interface GanttOptions {
  format: 'text' | 'svg';
}
