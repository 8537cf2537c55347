// Checks simulate()'s arguments once, at the boundary, so the engine can trust them. Wrong
// types are TypeErrors, out-of-range values RangeErrors; each message names the offending
// job or field and says what is accepted.
import type { Job, Policy, SimulateOptions } from './types.js';

export const POLICY_KINDS = ['fcfs', 'sjf', 'srtf', 'priority', 'rr', 'mlfq'] as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function checkNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

function checkPositive(value: unknown, what: string, fix: string): number {
  const n = checkNumber(value, what);
  if (n <= 0) throw new RangeError(`${what} must be greater than 0, got ${n}: ${fix}`);
  return n;
}

function validateJob(job: unknown, index: number, seen: Map<string, number>): void {
  if (typeof job !== 'object' || job === null) {
    throw new TypeError(
      `jobs[${index}] must be an object like { id: 'A', arrival: 0, burst: 5 }, got ${describe(job)}`,
    );
  }
  const { id, arrival, burst, priority, io } = job as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`jobs[${index}].id must be a non-empty string, got ${describe(id)}`);
  }
  const name = `job ${JSON.stringify(id)}`;
  const first = seen.get(id);
  if (first !== undefined) {
    throw new RangeError(
      `duplicate job id ${JSON.stringify(id)} (jobs[${first}] and jobs[${index}]): give every job its own id`,
    );
  }
  seen.set(id, index);
  if (checkNumber(arrival, `${name}: arrival`) < 0) {
    throw new RangeError(`${name}: arrival must be 0 or later, got ${arrival}`);
  }
  const total = checkPositive(burst, `${name}: burst`, 'a job needs some CPU time');
  if (priority !== undefined) checkNumber(priority, `${name}: priority`);
  if (io === undefined) return;
  if (!Array.isArray(io))
    throw new TypeError(`${name}: io must be an array of { after, duration }, got ${describe(io)}`);
  let previous = 0;
  io.forEach((burstOfIo: unknown, i) => {
    const where = `${name}: io[${i}]`;
    if (typeof burstOfIo !== 'object' || burstOfIo === null) {
      throw new TypeError(`${where} must be an object { after, duration }, got ${describe(burstOfIo)}`);
    }
    const { after, duration } = burstOfIo as Record<string, unknown>;
    const at = checkNumber(after, `${where}.after`);
    if (at <= previous || at >= total) {
      throw new RangeError(
        `${where}.after must be between ${previous} and the burst ${total} (exclusive), got ${at}: ` +
          'it counts CPU time from the job start, and I/O bursts are listed in order',
      );
    }
    previous = at;
    checkPositive(duration, `${where}.duration`, 'an I/O burst takes some time');
  });
}

export function validateJobs(jobs: unknown): asserts jobs is Job[] {
  if (!Array.isArray(jobs)) throw new TypeError(`jobs must be an array of jobs, got ${describe(jobs)}`);
  if (jobs.length === 0) throw new RangeError('jobs is empty: simulate() needs at least one job');
  const seen = new Map<string, number>();
  jobs.forEach((job, index) => {
    validateJob(job, index, seen);
  });
}

export function validatePolicy(policy: unknown): asserts policy is Policy {
  if (typeof policy !== 'object' || policy === null) {
    throw new TypeError(`policy must be an object such as { kind: 'rr', quantum: 4 }, got ${describe(policy)}`);
  }
  const p = policy as Record<string, unknown>;
  if (!(POLICY_KINDS as readonly unknown[]).includes(p.kind)) {
    throw new TypeError(`unknown policy kind ${describe(p.kind)}: use one of ${POLICY_KINDS.join(', ')}`);
  }
  if (p.kind === 'rr') {
    checkPositive(p.quantum, 'rr quantum', 'give the time slice, e.g. { kind: "rr", quantum: 4 }');
  } else if (p.kind === 'priority') {
    if (p.preemptive !== undefined && typeof p.preemptive !== 'boolean') {
      throw new TypeError(`priority preemptive must be a boolean, got ${describe(p.preemptive)}`);
    }
  } else if (p.kind === 'mlfq') {
    if (!Array.isArray(p.quanta) || p.quanta.length === 0) {
      throw new TypeError(
        `mlfq quanta must be a non-empty array of time slices (one per level), got ${describe(p.quanta)}`,
      );
    }
    p.quanta.forEach((q, level) => {
      checkPositive(q, `mlfq quanta[${level}]`, 'every level needs a time slice');
    });
    if (p.boost !== undefined) checkPositive(p.boost, 'mlfq boost', 'it is the period of the priority boost');
  }
}

export function validateOptions(options: unknown): Required<SimulateOptions> {
  if (options === undefined) return { cpus: 1, contextSwitch: 0 };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object { cpus, contextSwitch }, got ${describe(options)}`);
  }
  const { cpus = 1, contextSwitch = 0 } = options as Record<string, unknown>;
  if (typeof cpus !== 'number') throw new TypeError(`cpus must be a number, got ${describe(cpus)}`);
  if (!Number.isInteger(cpus) || cpus < 1) {
    throw new RangeError(`cpus must be a whole number of at least 1, got ${describe(cpus)}`);
  }
  if (checkNumber(contextSwitch, 'contextSwitch') < 0) {
    throw new RangeError(`contextSwitch must be 0 or more, got ${contextSwitch}`);
  }
  return { cpus, contextSwitch: contextSwitch as number };
}
