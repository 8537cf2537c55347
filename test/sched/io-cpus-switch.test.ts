// I/O bursts (running → blocked → ready), several CPUs, and the cost of a context switch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Schedule, simulate } from '../../src/sched.js';

const rows = (schedule: Schedule) => schedule.slices.map(({ job, cpu, start, end }) => [job, cpu, start, end]);
const statesOf = (schedule: Schedule, job: string) =>
  schedule.transitions.filter((t) => t.job === job).map((t) => `${t.time} ${t.from}>${t.to}`);

test('sched: a job blocks for its I/O burst and another job runs meanwhile', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 5, io: [{ after: 2, duration: 3 }] },
      { id: 'B', arrival: 1, burst: 3 },
    ],
    { kind: 'fcfs' },
  );
  assert.deepEqual(rows(schedule), [
    ['A', 0, 0, 2],
    ['B', 0, 2, 5],
    ['A', 0, 5, 8],
  ]);
  assert.deepEqual(statesOf(schedule, 'A'), [
    '0 new>ready',
    '0 ready>running',
    '2 running>blocked',
    '5 blocked>ready',
    '5 ready>running',
    '8 running>terminated',
  ]);
  const [a, b] = schedule.jobs;
  assert.equal(a!.waiting, 0); // turnaround 8 − burst 5 − I/O 3
  assert.equal(b!.waiting, 1);
  assert.equal(schedule.utilization, 1);
});

test('sched: the CPU idles while the only job is blocked, and utilization shows it', () => {
  const schedule = simulate([{ id: 'A', arrival: 0, burst: 5, io: [{ after: 2, duration: 3 }] }], {
    kind: 'rr',
    quantum: 10,
  });
  assert.deepEqual(rows(schedule), [
    ['A', 0, 0, 2],
    ['A', 0, 5, 8],
  ]);
  assert.equal(schedule.makespan, 8);
  assert.equal(schedule.utilization, 5 / 8);
});

test('sched: sjf picks by the next CPU burst (up to the next I/O), and several I/O bursts run in order', () => {
  const schedule = simulate(
    [
      {
        id: 'Long',
        arrival: 0,
        burst: 9,
        io: [
          { after: 1, duration: 2 },
          { after: 2, duration: 2 },
        ],
      },
      { id: 'Mid', arrival: 0, burst: 3 },
    ],
    { kind: 'sjf' },
  );
  // Long's next burst is 1 (before its first I/O), shorter than Mid's 3.
  assert.deepEqual(rows(schedule), [
    ['Long', 0, 0, 1],
    ['Mid', 0, 1, 4],
    ['Long', 0, 4, 5],
    ['Long', 0, 7, 14],
  ]);
  assert.equal(statesOf(schedule, 'Long').filter((s) => s.endsWith('running>blocked')).length, 2);
  // Back from its first I/O at 3, Long waits for Mid until 4: turnaround 14 − burst 9 − I/O 4 = 1.
  assert.equal(schedule.jobs[0]!.waiting, 1);
});

test('sched: two CPUs run two jobs at once, numbered from 0', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 4 },
      { id: 'B', arrival: 0, burst: 3 },
      { id: 'C', arrival: 0, burst: 2 },
      { id: 'D', arrival: 1, burst: 1 },
    ],
    { kind: 'fcfs' },
    { cpus: 2 },
  );
  assert.deepEqual(rows(schedule), [
    ['A', 0, 0, 4],
    ['B', 1, 0, 3],
    ['C', 1, 3, 5],
    ['D', 0, 4, 5],
  ]);
  assert.equal(schedule.makespan, 5);
  assert.equal(schedule.utilization, 1);
  assert.equal(schedule.cpus, 2);
});

test('sched: with two CPUs an urgent arrival preempts the worst running job', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 10 },
      { id: 'B', arrival: 0, burst: 8 },
      { id: 'C', arrival: 1, burst: 2 },
    ],
    { kind: 'srtf' },
    { cpus: 2 },
  );
  assert.deepEqual(rows(schedule), [
    ['B', 0, 0, 8],
    ['A', 1, 0, 1],
    ['C', 1, 1, 3],
    ['A', 1, 3, 12],
  ]);
});

test('sched: a context switch costs time between different jobs (fcfs 24, 3, 3 with a switch of 1)', () => {
  const schedule = simulate(
    [
      { id: 'P1', arrival: 0, burst: 24 },
      { id: 'P2', arrival: 0, burst: 3 },
      { id: 'P3', arrival: 0, burst: 3 },
    ],
    { kind: 'fcfs' },
    { contextSwitch: 1 },
  );
  assert.deepEqual(rows(schedule), [
    ['P1', 0, 0, 24],
    ['P2', 0, 25, 28],
    ['P3', 0, 29, 32],
  ]);
  assert.equal(schedule.averages.waiting, (0 + 25 + 29) / 3);
  assert.equal(schedule.makespan, 32);
  assert.equal(schedule.utilization, 30 / 32);
  assert.equal(schedule.contextSwitches, 2);
  // The job being switched in is still ready; it starts running when the switch is done.
  assert.deepEqual(statesOf(schedule, 'P2').slice(1, 2), ['25 ready>running']);
});

test('sched: rr pays a switch at every quantum that hands the CPU to another job', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 3 },
      { id: 'B', arrival: 0, burst: 3 },
    ],
    { kind: 'rr', quantum: 2 },
    { contextSwitch: 1 },
  );
  assert.deepEqual(rows(schedule), [
    ['A', 0, 0, 2],
    ['B', 0, 3, 5],
    ['A', 0, 6, 7],
    ['B', 0, 8, 9],
  ]);
  assert.equal(schedule.contextSwitches, 3);
});

test('sched: a job coming back from I/O to the CPU that still holds its context pays no switch', () => {
  const schedule = simulate(
    [{ id: 'A', arrival: 0, burst: 4, io: [{ after: 2, duration: 1 }] }],
    { kind: 'fcfs' },
    { contextSwitch: 5 },
  );
  assert.deepEqual(rows(schedule), [
    ['A', 0, 0, 2],
    ['A', 0, 3, 5],
  ]);
  assert.equal(schedule.contextSwitches, 0);
});

test('sched: a job switched in just as a more urgent one arrives has not started until it runs', () => {
  // The switch to B ends at 3, when C arrives: C takes the CPU, and B first runs at 6. Its start
  // and response used to say 3 (a zero-length turn on the CPU).
  for (const policy of [{ kind: 'priority', preemptive: true } as const, { kind: 'srtf' } as const]) {
    const schedule = simulate(
      [
        { id: 'A', arrival: 0, burst: 2, priority: 1 },
        { id: 'B', arrival: 0, burst: 3, priority: 2 },
        { id: 'C', arrival: 3, burst: 1, priority: 0 },
      ],
      policy,
      { contextSwitch: 1 },
    );
    const b = schedule.jobs.find((job) => job.id === 'B')!;
    const first = schedule.slices.find((slice) => slice.job === 'B')!;
    assert.equal(b.start, first.start, policy.kind);
    assert.equal(b.response, b.start - b.arrival);
  }
});

test('sched: averages are free of binary rounding noise (0.1 and 0.2 average 0.15)', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 0.3 },
      { id: 'B', arrival: 0.1, burst: 0.4 },
    ],
    { kind: 'rr', quantum: 0.1 },
  );
  assert.deepEqual(
    schedule.jobs.map((job) => job.waiting),
    [0.1, 0.2],
  );
  assert.equal(schedule.averages.waiting, 0.15, 'it was 0.15000000000000002');
});
