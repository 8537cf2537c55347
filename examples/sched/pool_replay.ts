// A real Pool run drawn with the simulator's Gantt renderer: each task notes which worker
// ran it and when it started and ended (one clock for all processes: timeOrigin + now), and
// the parent turns those notes into a Schedule — one CPU row per worker — so the chart
// shows what the pool really did: who waited in the queue, for how long, and where the
// workers sat idle. Compare it with `simulate()` of the same jobs under FCFS on 2 CPUs.
import { Barrier, isMainProcess, Pool } from 'multiprocessing';
import { gantt, type Schedule, simulate } from 'multiprocessing/sched';

const now = () => performance.timeOrigin + performance.now();

/** Busy-works for about `ms` milliseconds; returns who ran it and when. */
export function work(id: string, ms: number): { id: string; pid: number; start: number; end: number } {
  const start = now();
  while (now() - start < ms) {
    // spin: a CPU-bound task
  }
  return { id, pid: process.pid, start, end: now() };
}

/** Returns once `parties` calls meet here: calls that meet run on as many workers. */
export async function meet(barrier: Barrier): Promise<void> {
  await barrier.wait(30_000);
}

if (isMainProcess()) {
  const jobs = [
    { id: 'A', burst: 120 },
    { id: 'B', burst: 40 },
    { id: 'C', burst: 80 },
    { id: 'D', burst: 40 },
    { id: 'E', burst: 60 },
  ];
  await using pool = new Pool(2);
  // Warm-up, so that the chart shows the tasks, not the start-up: both workers start and
  // import this module (two calls that meet at a barrier run one on each worker, however
  // slowly the second one starts), and the first use of `work` (finding which export it is)
  // is paid here.
  const barrier = new Barrier(2);
  await Promise.all([pool.apply(meet, [barrier]), pool.apply(meet, [barrier])]);
  await pool.starmap(work, [
    ['warm-up', 1],
    ['warm-up', 1],
  ]);
  const submitted = now();
  const runs = await Promise.all(jobs.map((job) => pool.apply(work, [job.id, job.burst])));

  // Time in ms from the submission; one CPU row per worker process.
  const workers = [...new Set(runs.map((run) => run.pid))];
  const t = (time: number) => Math.round((time - submitted) * 10) / 10;
  const schedule: Schedule = {
    slices: runs.map((run) => ({ job: run.id, cpu: workers.indexOf(run.pid), start: t(run.start), end: t(run.end) })),
    jobs: runs.map((run) => ({
      id: run.id,
      arrival: 0,
      burst: t(run.end) - t(run.start),
      start: t(run.start),
      completion: t(run.end),
      waiting: t(run.start),
      turnaround: t(run.end),
      response: t(run.start),
    })),
    averages: { waiting: 0, turnaround: 0, response: 0 },
    transitions: runs.flatMap((run) => [
      { time: 0, job: run.id, from: 'new' as const, to: 'ready' as const },
      { time: t(run.start), job: run.id, from: 'ready' as const, to: 'running' as const },
      { time: t(run.end), job: run.id, from: 'running' as const, to: 'terminated' as const },
    ]),
    makespan: Math.max(...runs.map((run) => t(run.end))),
    utilization: 0,
    cpus: workers.length,
    contextSwitches: 0,
  };
  const n = schedule.jobs.length;
  schedule.averages = {
    waiting: schedule.jobs.reduce((sum, job) => sum + job.waiting, 0) / n,
    turnaround: schedule.jobs.reduce((sum, job) => sum + job.turnaround, 0) / n,
    response: schedule.jobs.reduce((sum, job) => sum + job.response, 0) / n,
  };
  const busy = schedule.slices.reduce((sum, slice) => sum + slice.end - slice.start, 0);
  schedule.utilization = busy / (schedule.makespan * workers.length);

  console.log('A real Pool(2) run (ms), one row per worker process:\n');
  console.log(gantt(schedule));
  console.log(
    `\nmeasured: makespan ${schedule.makespan.toFixed(0)} ms, average waiting ${schedule.averages.waiting.toFixed(1)} ms, utilization ${(schedule.utilization * 100).toFixed(0)}%`,
  );
  const ideal = simulate(
    jobs.map((job) => ({ id: job.id, arrival: 0, burst: job.burst })),
    { kind: 'fcfs' },
    { cpus: 2 },
  );
  console.log(`simulated FCFS on 2 CPUs: makespan ${ideal.makespan} ms, average waiting ${ideal.averages.waiting} ms`);
}
