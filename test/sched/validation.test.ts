// simulate() and gantt() reject bad arguments with TypeError/RangeError messages that say
// what was wrong and what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gantt, type Job, type Policy, simulate } from '../../src/sched.js';

const ok: Job[] = [{ id: 'A', arrival: 0, burst: 1 }];
const fcfs: Policy = { kind: 'fcfs' };

test('sched: duplicate job ids are a RangeError naming the id and both positions', () => {
  assert.throws(
    () =>
      simulate(
        [
          { id: 'A', arrival: 0, burst: 1 },
          { id: 'A', arrival: 1, burst: 1 },
        ],
        fcfs,
      ),
    { name: 'RangeError', message: /duplicate job id "A" \(jobs\[0\] and jobs\[1\]\)/ },
  );
});

test('sched: negative arrival, negative or zero burst are RangeErrors', () => {
  assert.throws(() => simulate([{ id: 'A', arrival: -1, burst: 1 }], fcfs), {
    name: 'RangeError',
    message: /job "A": arrival must be 0 or later, got -1/,
  });
  assert.throws(() => simulate([{ id: 'A', arrival: 0, burst: -2 }], fcfs), {
    name: 'RangeError',
    message: /job "A": burst must be greater than 0/,
  });
  assert.throws(() => simulate([{ id: 'A', arrival: 0, burst: 0 }], fcfs), {
    name: 'RangeError',
    message: /burst must be greater than 0, got 0/,
  });
});

test('sched: wrongly typed jobs are TypeErrors', () => {
  assert.throws(() => simulate('jobs' as never, fcfs), { name: 'TypeError', message: /jobs must be an array/ });
  assert.throws(() => simulate([{ id: 'A', arrival: '0', burst: 1 } as never], fcfs), {
    name: 'TypeError',
    message: /job "A": arrival must be a finite number, got "0"/,
  });
  assert.throws(() => simulate([{ id: '', arrival: 0, burst: 1 }], fcfs), { name: 'TypeError', message: /id must be/ });
  assert.throws(() => simulate([], fcfs), { name: 'RangeError', message: /at least one job/ });
});

test('sched: I/O bursts must fall inside the CPU burst, in order, with a positive duration', () => {
  const withIo = (io: Job['io']): Job[] => [{ id: 'A', arrival: 0, burst: 5, io }];
  assert.throws(() => simulate(withIo([{ after: 5, duration: 1 }]), fcfs), {
    name: 'RangeError',
    message: /io\[0\]\.after must be between 0 and the burst 5/,
  });
  assert.throws(
    () =>
      simulate(
        withIo([
          { after: 3, duration: 1 },
          { after: 2, duration: 1 },
        ]),
        fcfs,
      ),
    { name: 'RangeError', message: /io\[1\]\.after/ },
  );
  assert.throws(() => simulate(withIo([{ after: 1, duration: 0 }]), fcfs), {
    name: 'RangeError',
    message: /io\[0\]\.duration must be greater than 0/,
  });
});

test('sched: a quantum of 0 or less is a RangeError, for rr and for every mlfq level', () => {
  assert.throws(() => simulate(ok, { kind: 'rr', quantum: 0 }), {
    name: 'RangeError',
    message: /rr quantum must be greater than 0, got 0/,
  });
  assert.throws(() => simulate(ok, { kind: 'rr', quantum: -1 }), { name: 'RangeError' });
  assert.throws(() => simulate(ok, { kind: 'rr' } as never), { name: 'TypeError', message: /rr quantum/ });
  assert.throws(() => simulate(ok, { kind: 'mlfq', quanta: [1, 0] }), {
    name: 'RangeError',
    message: /mlfq quanta\[1\] must be greater than 0/,
  });
  assert.throws(() => simulate(ok, { kind: 'mlfq', quanta: [] }), { name: 'TypeError', message: /non-empty/ });
  assert.throws(() => simulate(ok, { kind: 'mlfq', quanta: [1], boost: 0 }), { name: 'RangeError', message: /boost/ });
});

test('sched: an unknown policy kind is a TypeError listing the known ones', () => {
  assert.throws(() => simulate(ok, { kind: 'lottery' } as never), {
    name: 'TypeError',
    message: /unknown policy kind "lottery": use one of fcfs, sjf, srtf, priority, rr, mlfq/,
  });
  assert.throws(() => simulate(ok, null as never), { name: 'TypeError', message: /policy must be an object/ });
});

test('sched: cpus must be a whole number ≥ 1 and contextSwitch ≥ 0', () => {
  assert.throws(() => simulate(ok, fcfs, { cpus: 0 }), { name: 'RangeError', message: /cpus must be a whole number/ });
  assert.throws(() => simulate(ok, fcfs, { cpus: 1.5 }), { name: 'RangeError' });
  // A wrongly typed count is a TypeError (API.md's rule), and objects are "an object".
  assert.throws(() => simulate(ok, fcfs, { cpus: '2' as never }), {
    name: 'TypeError',
    message: /cpus must be a number, got "2"/,
  });
  assert.throws(() => simulate([{ id: 'A', arrival: 0, burst: 1, io: {} as never }], fcfs), /got an object/);
  assert.throws(() => simulate(ok, fcfs, { contextSwitch: -1 }), {
    name: 'RangeError',
    message: /contextSwitch must be 0 or more/,
  });
});

test('sched: gantt rejects an unknown format', () => {
  const schedule = simulate(ok, fcfs);
  assert.throws(() => gantt(schedule, { format: 'png' as never }), { name: 'TypeError', message: /'text' or 'svg'/ });
  assert.throws(() => gantt({} as never), { name: 'TypeError', message: /Schedule returned by simulate/ });
});
