// Turns the engine's record into the published numbers. Definitions (also in
// docs/scheduling.md): turnaround = completion − arrival; waiting = turnaround − burst − I/O
// time (time spent ready, including while being switched in); response = first start −
// arrival; makespan = the last completion; utilization = busy CPU time / (cpus × makespan).
import type { EngineResult } from './engine.js';
import { snap } from './time.js';
import type { JobStats, Schedule } from './types.js';

// (the sum is snapped, not the quotient: 0.1 and 0.2 average 0.15, and 1, 2, 2 give 5 / 3 exactly)
const mean = (values: number[]): number => snap(values.reduce((sum, v) => sum + v, 0)) / values.length;

export function buildSchedule(result: EngineResult, cpus: number): Schedule {
  const jobs: JobStats[] = result.runs.map((run) => {
    const { id, arrival, burst } = run.job;
    const start = run.start ?? arrival;
    const turnaround = snap(run.completion - arrival);
    return {
      id,
      arrival,
      burst,
      start,
      completion: run.completion,
      waiting: snap(turnaround - burst - run.ioTotal),
      turnaround,
      response: snap(start - arrival),
    };
  });
  const { slices, transitions } = result.recorder;
  const makespan = Math.max(...jobs.map((job) => job.completion));
  const busy = snap(slices.reduce((sum, slice) => sum + (slice.end - slice.start), 0));
  return {
    slices: [...slices].sort((a, b) => a.start - b.start || a.cpu - b.cpu),
    jobs,
    averages: {
      waiting: mean(jobs.map((job) => job.waiting)),
      turnaround: mean(jobs.map((job) => job.turnaround)),
      response: mean(jobs.map((job) => job.response)),
    },
    transitions,
    makespan,
    utilization: busy / (cpus * makespan),
    cpus,
    contextSwitches: result.contextSwitches,
  };
}
