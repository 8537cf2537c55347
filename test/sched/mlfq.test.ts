// The multilevel feedback queue, starting with the seed document's worked example: four jobs,
// four levels with time slices 0.4, 0.3, 0.2 and 0.1 s; job 1 finishes in the first level, job 2
// in the second, job 3 in the third, and the long "download" job sinks to the lowest level.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Job, type Schedule, simulate } from '../../src/sched.js';

const quanta = [0.4, 0.3, 0.2, 0.1];
const seedJobs: Job[] = [
  { id: 'J1', arrival: 0, burst: 0.3 },
  { id: 'J2', arrival: 0, burst: 0.6 },
  { id: 'J3', arrival: 0, burst: 0.8 },
  { id: 'J4', arrival: 0, burst: 1.5 }, // the download
];
const rows = (schedule: Schedule) => schedule.slices.map(({ job, start, end, level }) => [job, start, end, level]);

test("sched: mlfq reproduces the seed's example (0.4/0.3/0.2/0.1 s levels, the download sinks to the last)", () => {
  const schedule = simulate(seedJobs, { kind: 'mlfq', quanta });
  assert.deepEqual(rows(schedule), [
    ['J1', 0, 0.3, 0],
    ['J2', 0.3, 0.7, 0],
    ['J3', 0.7, 1.1, 0],
    ['J4', 1.1, 1.5, 0],
    ['J2', 1.5, 1.7, 1],
    ['J3', 1.7, 2, 1],
    ['J4', 2, 2.3, 1],
    ['J3', 2.3, 2.4, 2],
    ['J4', 2.4, 2.6, 2],
    ['J4', 2.6, 3.2, 3],
  ]);
  const finishedAt = (id: string) => schedule.slices.filter((s) => s.job === id).at(-1)!.level;
  assert.deepEqual(['J1', 'J2', 'J3', 'J4'].map(finishedAt), [0, 1, 2, 3]);
  assert.deepEqual(
    schedule.jobs.map((job) => job.completion),
    [0.3, 1.7, 2.4, 3.2],
  );
});

test('sched: mlfq lets a job arriving at a higher level preempt one at a lower level', () => {
  // The seed: later short jobs go to the first queue, and the CPU jumps to them at once.
  const schedule = simulate([...seedJobs, { id: 'J5', arrival: 2.65, burst: 0.2 }], { kind: 'mlfq', quanta });
  assert.deepEqual(rows(schedule).slice(-3), [
    ['J4', 2.6, 2.65, 3],
    ['J5', 2.65, 2.85, 0],
    ['J4', 2.85, 3.4, 3],
  ]);
  const j4 = schedule.transitions.filter((t) => t.job === 'J4' && t.time === 2.65);
  assert.deepEqual(j4, [{ time: 2.65, job: 'J4', from: 'running', to: 'ready' }]);
});

test('sched: mlfq drops a job one level when it uses its whole quantum and keeps it at the last level', () => {
  const schedule = simulate([{ id: 'A', arrival: 0, burst: 10 }], { kind: 'mlfq', quanta: [1, 2] });
  assert.deepEqual(rows(schedule), [
    ['A', 0, 1, 0],
    ['A', 1, 10, 1],
  ]);
});

test('sched: mlfq boost moves every job back to level 0 every `boost` time units', () => {
  const jobs: Job[] = [
    { id: 'A', arrival: 0, burst: 10 },
    { id: 'B', arrival: 1, burst: 1 },
  ];
  const boosted = simulate(jobs, { kind: 'mlfq', quanta: [1, 2], boost: 5 });
  assert.deepEqual(rows(boosted), [
    ['A', 0, 1, 0],
    ['B', 1, 2, 0],
    ['A', 2, 5, 1],
    ['A', 5, 6, 0],
    ['A', 6, 10, 1],
    ['A', 10, 11, 0],
  ]);
  const plain = simulate(jobs, { kind: 'mlfq', quanta: [1, 2] });
  assert.deepEqual(rows(plain), [
    ['A', 0, 1, 0],
    ['B', 1, 2, 0],
    ['A', 2, 11, 1],
  ]);
});

test('sched: mlfq with one level is round robin', () => {
  const jobs: Job[] = [
    { id: 'P1', arrival: 0, burst: 24 },
    { id: 'P2', arrival: 0, burst: 3 },
    { id: 'P3', arrival: 0, burst: 3 },
  ];
  const mlfq = simulate(jobs, { kind: 'mlfq', quanta: [4] });
  const rr = simulate(jobs, { kind: 'rr', quantum: 4 });
  assert.deepEqual(
    mlfq.slices.map(({ level: _, ...rest }) => rest),
    rr.slices,
  );
  assert.deepEqual(mlfq.averages, rr.averages);
});
