// Textbook cases with published answers. Unless noted, the source is Silberschatz, Galvin and
// Gagne, "Operating System Concepts" (10th ed.), chapter 5 "CPU Scheduling", section 5.3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Job, type Schedule, simulate } from '../../src/sched.js';

const order = (schedule: Schedule): string[] => schedule.slices.map((slice) => slice.job);
const waitingOf = (schedule: Schedule): Record<string, number> =>
  Object.fromEntries(schedule.jobs.map((job) => [job.id, job.waiting]));
const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

const threeJobs: Job[] = [
  { id: 'P1', arrival: 0, burst: 24 },
  { id: 'P2', arrival: 0, burst: 3 },
  { id: 'P3', arrival: 0, burst: 3 },
];

test('sched: fcfs runs jobs in arrival order (Silberschatz 5.3.1: P1=24, P2=3, P3=3, average waiting 17)', () => {
  const schedule = simulate(threeJobs, { kind: 'fcfs' });
  assert.deepEqual(order(schedule), ['P1', 'P2', 'P3']);
  assert.deepEqual(waitingOf(schedule), { P1: 0, P2: 24, P3: 27 });
  close(schedule.averages.waiting, 17);
  assert.equal(schedule.makespan, 30);
  assert.equal(schedule.utilization, 1);
});

test('sched: fcfs with the short jobs first waits 3 on average (Silberschatz 5.3.1: order P2, P3, P1)', () => {
  const schedule = simulate(
    [
      { id: 'P2', arrival: 0, burst: 3 },
      { id: 'P3', arrival: 0, burst: 3 },
      { id: 'P1', arrival: 0.000_001, burst: 24 },
    ],
    { kind: 'fcfs' },
  );
  assert.deepEqual(order(schedule), ['P2', 'P3', 'P1']);
  assert.equal(schedule.jobs.find((job) => job.id === 'P1')!.start, 6);
  assert.ok(Math.abs(schedule.averages.waiting - 3) < 1e-5);
});

test('sched: sjf runs the shortest job first (Silberschatz 5.3.2: P1=6, P2=8, P3=7, P4=3, average waiting 7)', () => {
  const schedule = simulate(
    [
      { id: 'P1', arrival: 0, burst: 6 },
      { id: 'P2', arrival: 0, burst: 8 },
      { id: 'P3', arrival: 0, burst: 7 },
      { id: 'P4', arrival: 0, burst: 3 },
    ],
    { kind: 'sjf' },
  );
  assert.deepEqual(order(schedule), ['P4', 'P1', 'P3', 'P2']);
  assert.deepEqual(waitingOf(schedule), { P1: 3, P2: 16, P3: 9, P4: 0 });
  close(schedule.averages.waiting, 7);
});

test('sched: srtf preempts for a shorter remaining time (Silberschatz 5.3.2: average waiting 6.5)', () => {
  const schedule = simulate(
    [
      { id: 'P1', arrival: 0, burst: 8 },
      { id: 'P2', arrival: 1, burst: 4 },
      { id: 'P3', arrival: 2, burst: 9 },
      { id: 'P4', arrival: 3, burst: 5 },
    ],
    { kind: 'srtf' },
  );
  assert.deepEqual(
    schedule.slices.map(({ job, start, end }) => [job, start, end]),
    [
      ['P1', 0, 1],
      ['P2', 1, 5],
      ['P4', 5, 10],
      ['P1', 10, 17],
      ['P3', 17, 26],
    ],
  );
  assert.deepEqual(waitingOf(schedule), { P1: 9, P2: 0, P3: 15, P4: 2 });
  close(schedule.averages.waiting, 6.5);
});

test('sched: sjf does not preempt (same jobs as the srtf example: average waiting 7.75)', () => {
  // P1 0-8, then P2 (4), P4 (5), P3 (9): waiting 0, 7, 15, 9.
  const schedule = simulate(
    [
      { id: 'P1', arrival: 0, burst: 8 },
      { id: 'P2', arrival: 1, burst: 4 },
      { id: 'P3', arrival: 2, burst: 9 },
      { id: 'P4', arrival: 3, burst: 5 },
    ],
    { kind: 'sjf' },
  );
  assert.deepEqual(order(schedule), ['P1', 'P2', 'P4', 'P3']);
  close(schedule.averages.waiting, 7.75);
});

test('sched: rr preempts after the quantum (Silberschatz 5.3.3: quantum 4, average waiting 17/3 ≈ 5.66)', () => {
  const schedule = simulate(threeJobs, { kind: 'rr', quantum: 4 });
  assert.deepEqual(
    schedule.slices.map(({ job, start, end }) => [job, start, end]),
    [
      ['P1', 0, 4],
      ['P2', 4, 7],
      ['P3', 7, 10],
      ['P1', 10, 30],
    ],
  );
  assert.deepEqual(waitingOf(schedule), { P1: 6, P2: 4, P3: 7 });
  close(schedule.averages.waiting, 17 / 3);
});

test('sched: rr keeps a job on the CPU when nobody else is waiting (one slice, no extra transitions)', () => {
  const schedule = simulate([{ id: 'A', arrival: 0, burst: 10 }], { kind: 'rr', quantum: 2 });
  assert.deepEqual(schedule.slices, [{ job: 'A', cpu: 0, start: 0, end: 10 }]);
  assert.deepEqual(
    schedule.transitions.map((t) => `${t.from}>${t.to}`),
    ['new>ready', 'ready>running', 'running>terminated'],
  );
  assert.equal(schedule.contextSwitches, 0);
});

test('sched: non-preemptive priority runs the lowest number first (Silberschatz 5.3.4: average waiting 8.2)', () => {
  const schedule = simulate(
    [
      { id: 'P1', arrival: 0, burst: 10, priority: 3 },
      { id: 'P2', arrival: 0, burst: 1, priority: 1 },
      { id: 'P3', arrival: 0, burst: 2, priority: 4 },
      { id: 'P4', arrival: 0, burst: 1, priority: 5 },
      { id: 'P5', arrival: 0, burst: 5, priority: 2 },
    ],
    { kind: 'priority' },
  );
  assert.deepEqual(order(schedule), ['P2', 'P5', 'P1', 'P3', 'P4']);
  close(schedule.averages.waiting, 8.2);
});

test('sched: preemptive priority takes the CPU at once for a more urgent arrival', () => {
  // Worked by hand: A 0-1, B 1-4, D 4-6, A 6-10, C 10-11; waiting A 5, B 0, C 8, D 1.
  const jobs: Job[] = [
    { id: 'A', arrival: 0, burst: 5, priority: 3 },
    { id: 'B', arrival: 1, burst: 3, priority: 1 },
    { id: 'C', arrival: 2, burst: 1, priority: 4 },
    { id: 'D', arrival: 3, burst: 2, priority: 2 },
  ];
  const preemptive = simulate(jobs, { kind: 'priority', preemptive: true });
  assert.deepEqual(order(preemptive), ['A', 'B', 'D', 'A', 'C']);
  assert.deepEqual(waitingOf(preemptive), { A: 5, B: 0, C: 8, D: 1 });
  close(preemptive.averages.waiting, 3.5);
  const plain = simulate(jobs, { kind: 'priority' });
  assert.deepEqual(order(plain), ['A', 'B', 'D', 'C']);
});

test('sched: ties break by arrival, then by id (P2 before P10)', () => {
  const schedule = simulate(
    [
      { id: 'P10', arrival: 0, burst: 1 },
      { id: 'P2', arrival: 0, burst: 1 },
      { id: 'P1', arrival: 1, burst: 1 },
    ],
    { kind: 'sjf' },
  );
  assert.deepEqual(order(schedule), ['P2', 'P10', 'P1']);
});

test('sched: response, turnaround and waiting follow their definitions', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 2, burst: 3 },
      { id: 'B', arrival: 3, burst: 2 },
    ],
    { kind: 'fcfs' },
  );
  const [a, b] = schedule.jobs;
  assert.deepEqual(a, {
    id: 'A',
    arrival: 2,
    burst: 3,
    start: 2,
    completion: 5,
    waiting: 0,
    turnaround: 3,
    response: 0,
  });
  assert.deepEqual(b, {
    id: 'B',
    arrival: 3,
    burst: 2,
    start: 5,
    completion: 7,
    waiting: 2,
    turnaround: 4,
    response: 2,
  });
  assert.equal(schedule.makespan, 7);
  close(schedule.utilization, 5 / 7); // the CPU idles from 0 to 2
});
