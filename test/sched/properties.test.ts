// Properties that must hold for every schedule, checked on seeded pseudo-random job sets
// (the seed is in the test name, so a failure can be replayed exactly).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Job, type Policy, type Schedule, simulate } from '../../src/sched.js';

/** mulberry32: a tiny deterministic generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomJobs(next: () => number, options: { io: boolean; allAtZero: boolean }): Job[] {
  const count = 1 + Math.floor(next() * 8);
  return Array.from({ length: count }, (_, i) => {
    const burst = 1 + Math.floor(next() * 12);
    const job: Job = {
      id: `J${i}`,
      arrival: options.allAtZero ? 0 : Math.floor(next() * 15),
      burst,
      priority: Math.floor(next() * 4),
    };
    if (options.io && burst > 2 && next() < 0.5) {
      job.io = [{ after: 1 + Math.floor(next() * (burst - 1)), duration: 1 + Math.floor(next() * 5) }];
    }
    return job;
  });
}

const POLICIES: Policy[] = [
  { kind: 'fcfs' },
  { kind: 'sjf' },
  { kind: 'srtf' },
  { kind: 'priority' },
  { kind: 'priority', preemptive: true },
  { kind: 'rr', quantum: 3 },
  { kind: 'rr', quantum: 0.5 },
  { kind: 'mlfq', quanta: [1, 2, 4] },
  { kind: 'mlfq', quanta: [0.5, 1.5], boost: 7 },
];
const EPS = 1e-6;

function checkInvariants(jobs: Job[], schedule: Schedule, cpus: number, context: string): void {
  for (const job of jobs) {
    const slices = schedule.slices.filter((s) => s.job === job.id);
    const ran = slices.reduce((sum, s) => sum + (s.end - s.start), 0);
    assert.ok(Math.abs(ran - job.burst) < EPS, `${context}: ${job.id} ran ${ran}, burst ${job.burst}`);
    for (const s of slices) assert.ok(s.start >= job.arrival - EPS, `${context}: ${job.id} ran before it arrived`);
    const sorted = [...slices].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(sorted[i]!.start >= sorted[i - 1]!.end - EPS, `${context}: ${job.id} on two CPUs at once`);
    }
    const stats = schedule.jobs.find((s) => s.id === job.id)!;
    assert.ok(stats.waiting >= -EPS && stats.response >= -EPS, `${context}: negative waiting or response`);
    const io = (job.io ?? []).reduce((sum, b) => sum + b.duration, 0);
    assert.ok(Math.abs(stats.turnaround - (stats.waiting + job.burst + io)) < EPS, `${context}: waiting definition`);
    assert.equal(stats.completion, sorted.at(-1)!.end, `${context}: completion is the end of the last slice`);

    // Transitions chain: new → ready first, → terminated last, each `from` is the previous `to`.
    const changes = schedule.transitions.filter((t) => t.job === job.id);
    assert.deepEqual([changes[0]!.from, changes[0]!.to, changes[0]!.time], ['new', 'ready', job.arrival], context);
    assert.equal(changes.at(-1)!.to, 'terminated', context);
    for (let i = 1; i < changes.length; i++) {
      assert.equal(changes[i]!.from, changes[i - 1]!.to, `${context}: ${job.id} transition chain`);
      assert.ok(changes[i]!.time >= changes[i - 1]!.time, `${context}: transitions in time order`);
    }
  }
  for (let cpu = 0; cpu < cpus; cpu++) {
    const slices = schedule.slices.filter((s) => s.cpu === cpu).sort((a, b) => a.start - b.start);
    for (let i = 1; i < slices.length; i++) {
      assert.ok(slices[i]!.start >= slices[i - 1]!.end - EPS, `${context}: CPU ${cpu} runs two jobs at once`);
    }
  }
  assert.ok(
    schedule.slices.every((s) => s.cpu >= 0 && s.cpu < cpus && s.end > s.start),
    context,
  );
  assert.ok(schedule.utilization > 0 && schedule.utilization <= 1 + EPS, `${context}: utilization`);
}

test('sched: on random job sets every job runs exactly its burst, no overlap, nothing before arrival (seeds 1-150)', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const next = random(seed);
    const jobs = randomJobs(next, { io: seed % 2 === 0, allAtZero: false });
    const cpus = 1 + (seed % 3);
    const contextSwitch = seed % 4 === 0 ? 0.5 : 0;
    for (const policy of POLICIES) {
      const context = `seed ${seed}, ${JSON.stringify(policy)}, ${cpus} CPUs, switch ${contextSwitch}`;
      const schedule = simulate(jobs, policy, { cpus, contextSwitch });
      checkInvariants(jobs, schedule, cpus, context);
      assert.deepEqual(simulate(jobs, policy, { cpus, contextSwitch }), schedule, `${context}: deterministic`);
    }
  }
});

test('sched: sjf waits no longer than fcfs on average when all jobs arrive at 0 (seeds 1-200)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const jobs = randomJobs(random(seed), { io: false, allAtZero: true });
    const fcfs = simulate(jobs, { kind: 'fcfs' }).averages.waiting;
    const sjf = simulate(jobs, { kind: 'sjf' }).averages.waiting;
    assert.ok(sjf <= fcfs + EPS, `seed ${seed}: sjf ${sjf} > fcfs ${fcfs}`);
  }
});

test('sched: srtf has the lowest average waiting of all policies on one CPU (seeds 1-200)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const jobs = randomJobs(random(seed), { io: false, allAtZero: false });
    const srtf = simulate(jobs, { kind: 'srtf' }).averages.waiting;
    for (const policy of POLICIES) {
      const other = simulate(jobs, policy).averages.waiting;
      assert.ok(srtf <= other + EPS, `seed ${seed}: srtf ${srtf} > ${policy.kind} ${other}`);
    }
  }
});

test('sched: rr with a quantum longer than every burst is fcfs (seeds 1-100)', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const jobs = randomJobs(random(seed), { io: false, allAtZero: false });
    const fcfs = simulate(jobs, { kind: 'fcfs' }, { cpus: 2 });
    const rr = simulate(jobs, { kind: 'rr', quantum: 1000 }, { cpus: 2 });
    assert.deepEqual(rr, fcfs, `seed ${seed}`);
  }
});

test('sched: without switch cost a single CPU never idles while a job is ready (seeds 1-100)', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const jobs = randomJobs(random(seed), { io: false, allAtZero: false });
    for (const policy of POLICIES) {
      const schedule = simulate(jobs, policy);
      const busy = schedule.slices.reduce((sum, s) => sum + (s.end - s.start), 0);
      // Idle time can only come from gaps before an arrival: rebuild the work-conserving end.
      let end = 0;
      for (const job of [...jobs].sort((a, b) => a.arrival - b.arrival)) end = Math.max(end, job.arrival) + job.burst;
      assert.ok(
        Math.abs(schedule.makespan - end) < EPS,
        `seed ${seed} ${policy.kind}: makespan ${schedule.makespan} ≠ ${end}`,
      );
      assert.ok(Math.abs(busy - jobs.reduce((sum, j) => sum + j.burst, 0)) < EPS);
    }
  }
});
