// The engine's view of one job while it is simulated: how much CPU it has had, where it
// is in its I/O list, its state and (for MLFQ) its level and the part of its quantum used.
import { snap } from './time.js';
import type { Job, State } from './types.js';

export interface JobRun {
  readonly job: Job;
  readonly ioTotal: number;
  executed: number;
  nextIo: number;
  state: State;
  level: number;
  quantumUsed: number;
  /** When the job last entered the ready queue (FIFO order for FCFS, RR and MLFQ levels). */
  readySince: number;
  blockedUntil: number;
  /** The CPU that holds or is loading this job, or -1. */
  cpu: number;
  /** When it last got a CPU: its start, once it has run for some time from there. */
  runningSince: number;
  start: number | undefined;
  completion: number;
  /** Set when the job's quantum ran out this instant: it may simply continue on that CPU. */
  expiredOn: number;
}

export function createJobRun(job: Job): JobRun {
  return {
    job,
    ioTotal: snap((job.io ?? []).reduce((sum, io) => sum + io.duration, 0)),
    executed: 0,
    nextIo: 0,
    state: 'new',
    level: 0,
    quantumUsed: 0,
    readySince: job.arrival,
    blockedUntil: 0,
    cpu: -1,
    runningSince: 0,
    start: undefined,
    completion: 0,
    expiredOn: -1,
  };
}

/** CPU time the job needs before it next blocks for I/O or terminates (SJF's "next CPU burst"). */
export function untilNextStop(run: JobRun): number {
  const io = run.job.io?.[run.nextIo];
  return snap((io ? io.after : run.job.burst) - run.executed);
}
