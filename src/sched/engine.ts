// The discrete-event loop behind simulate(). Time jumps from one event to the next (a job
// arrives, finishes, starts or ends I/O, uses up its quantum, a context switch completes, an
// MLFQ boost is due); at each instant the engine first applies every event, then dispatches:
//
//   running jobs stop ──▶ switches complete ──▶ I/O ends, jobs arrive ──▶ boost
//        ──▶ free CPUs take the best ready jobs ──▶ better ready jobs preempt the worst running ones
//
// Dispatch is a plan computed before anything changes, so a job whose quantum ran out while
// nobody else was waiting simply keeps its CPU (no transitions, no switch cost).
import { ProcessError } from '../errors.js';
import { compareIds } from './compare-ids.js';
import { createJobRun, type JobRun, untilNextStop } from './job-run.js';
import type { PolicyRules } from './policies.js';
import { Recorder } from './recorder.js';
import { EPSILON, snap } from './time.js';
import type { Job } from './types.js';

interface Cpu {
  readonly index: number;
  running: JobRun | null;
  /** The job being switched in, until `switchEnd`. */
  incoming: JobRun | null;
  switchEnd: number;
  /** The job whose context the CPU holds: loading any other job costs a context switch. */
  context: JobRun | null;
}

export interface EngineResult {
  runs: JobRun[];
  recorder: Recorder;
  contextSwitches: number;
}

export class Engine {
  readonly #runs: JobRun[];
  /** The runs ordered by arrival, then id: the order simultaneous events are recorded in. */
  readonly #byArrival: JobRun[];
  readonly #cpus: Cpu[];
  readonly #rules: PolicyRules;
  readonly #recorder: Recorder;
  readonly #switchCost: number;
  readonly #boost: number | undefined;
  #boostsDone = 0;
  #contextSwitches = 0;

  constructor(jobs: Job[], rules: PolicyRules, cpus: number, switchCost: number, boost: number | undefined) {
    this.#runs = jobs.map(createJobRun);
    this.#byArrival = [...this.#runs].sort((a, b) => a.job.arrival - b.job.arrival || compareIds(a.job.id, b.job.id));
    this.#cpus = Array.from({ length: cpus }, (_, index) => ({
      index,
      running: null,
      incoming: null,
      switchEnd: 0,
      context: null,
    }));
    this.#rules = rules;
    this.#recorder = new Recorder(cpus, rules.levels);
    this.#switchCost = switchCost;
    this.#boost = boost;
  }

  run(): EngineResult {
    let now = 0;
    for (;;) {
      this.#applyEvents(now);
      this.#dispatch(now);
      if (this.#runs.every((run) => run.state === 'terminated')) break;
      const next = this.#nextEventTime(now);
      if (!(next > now)) {
        throw new ProcessError(`sched: the simulation stopped making progress at time ${now}; please report the jobs`);
      }
      this.#advance(next - now);
      now = next;
    }
    return { runs: this.#runs, recorder: this.#recorder, contextSwitches: this.#contextSwitches };
  }

  #advance(elapsed: number): void {
    for (const { running } of this.#cpus) {
      if (!running) continue;
      running.start ??= running.runningSince;
      running.executed = snap(running.executed + elapsed);
      running.quantumUsed = snap(running.quantumUsed + elapsed);
    }
  }

  #applyEvents(now: number): void {
    const recorder = this.#recorder;
    for (const cpu of this.#cpus) {
      const run = cpu.running;
      if (!run) continue;
      const quantum = this.#rules.quantum(run);
      const quantumUsedUp = quantum !== undefined && run.quantumUsed >= quantum - EPSILON;
      const io = run.job.io?.[run.nextIo];
      if (run.executed >= run.job.burst - EPSILON) {
        this.#leaveCpu(cpu, now);
        recorder.transition(now, run.job.id, 'running', 'terminated');
        run.state = 'terminated';
        run.completion = now;
      } else if (io && run.executed >= io.after - EPSILON) {
        this.#leaveCpu(cpu, now);
        if (quantumUsedUp) this.#rules.onQuantumUsed(run);
        recorder.transition(now, run.job.id, 'running', 'blocked');
        run.state = 'blocked';
        run.blockedUntil = snap(now + io.duration);
        run.nextIo++;
      } else if (quantumUsedUp) {
        // Its running → ready transition is recorded by #dispatch, unless it keeps the CPU.
        this.#leaveCpu(cpu, now);
        this.#rules.onQuantumUsed(run);
        run.state = 'ready';
        run.readySince = now;
        run.expiredOn = cpu.index;
      }
    }
    for (const cpu of this.#cpus) {
      if (cpu.incoming && cpu.switchEnd <= now + EPSILON) {
        const run = cpu.incoming;
        cpu.incoming = null;
        this.#startRunning(cpu, run, now, false);
      }
    }
    for (const run of this.#byArrival) {
      if (run.state === 'blocked' && run.blockedUntil <= now + EPSILON) {
        recorder.transition(now, run.job.id, 'blocked', 'ready');
        run.state = 'ready';
        run.readySince = now;
      } else if (run.state === 'new' && run.job.arrival <= now + EPSILON) {
        recorder.transition(now, run.job.id, 'new', 'ready');
        run.state = 'ready';
        run.readySince = now;
      }
    }
    if (this.#boost !== undefined && now >= snap((this.#boostsDone + 1) * this.#boost) - EPSILON) {
      this.#boostsDone = Math.floor(snap(now / this.#boost));
      this.#boostAll(now);
    }
  }

  /** MLFQ's priority boost: every job in the system goes back to level 0 with a fresh quantum. */
  #boostAll(now: number): void {
    for (const run of this.#runs) {
      if (run.state === 'new' || run.state === 'terminated') continue;
      run.quantumUsed = 0;
      if (run.level === 0) continue;
      run.level = 0;
      if (run.state === 'running') {
        this.#recorder.closeSlice(run.cpu, now);
        this.#recorder.openSlice(run.cpu, run.job.id, now, 0);
      }
    }
  }

  #leaveCpu(cpu: Cpu, now: number): void {
    this.#recorder.closeSlice(cpu.index, now);
    cpu.running!.cpu = -1;
    cpu.running!.quantumUsed = 0;
    cpu.running = null;
  }

  #startRunning(cpu: Cpu, run: JobRun, now: number, continuing: boolean): void {
    cpu.running = run;
    run.cpu = cpu.index;
    run.state = 'running';
    // (its start is set when it has run: a job switched in and preempted at the same instant
    // has not started)
    run.runningSince = now;
    if (!continuing) this.#recorder.transition(now, run.job.id, 'ready', 'running');
    this.#recorder.openSlice(cpu.index, run.job.id, now, run.level);
  }

  #dispatch(now: number): void {
    const rules = this.#rules;
    const ready = this.#runs.filter((run) => run.state === 'ready' && run.cpu === -1).sort(rules.compare);
    const free = this.#cpus.filter((cpu) => !cpu.running && !cpu.incoming);
    const plan = new Map<Cpu, JobRun>();
    const chosen = ready.slice(0, free.length);
    // A chosen job goes back to a free CPU that still holds its context (no switch cost).
    const homeless: JobRun[] = [];
    for (const run of chosen) {
      const home = free.find((cpu) => cpu.context === run && !plan.has(cpu));
      if (home) plan.set(home, run);
      else homeless.push(run);
    }
    const left = free.filter((cpu) => !plan.has(cpu));
    homeless.forEach((run, i) => {
      plan.set(left[i]!, run);
    });

    // Ready jobs are sorted best first, and each is tried against the worst job on a CPU.
    const victims: JobRun[] = [];
    for (const candidate of ready.slice(chosen.length)) {
      let worstCpu: Cpu | undefined;
      let worst: JobRun | undefined;
      for (const cpu of this.#cpus) {
        const occupant = plan.get(cpu) ?? cpu.running ?? cpu.incoming;
        if (occupant && (!worst || rules.compare(occupant, worst) > 0)) {
          worst = occupant;
          worstCpu = cpu;
        }
      }
      if (!worst || !worstCpu || !rules.preempts(candidate, worst)) break;
      if (!plan.has(worstCpu)) victims.push(worst);
      plan.set(worstCpu, candidate);
    }

    for (const run of this.#runs) {
      if (run.expiredOn >= 0 && plan.get(this.#cpus[run.expiredOn]!) !== run) {
        this.#recorder.transition(now, run.job.id, 'running', 'ready');
      }
    }
    for (const victim of victims) {
      const cpu = this.#cpus[victim.cpu]!;
      if (cpu.running === victim) {
        this.#leaveCpu(cpu, now);
        this.#recorder.transition(now, victim.job.id, 'running', 'ready');
        victim.readySince = now;
      } else {
        // It was still being switched in: it never ran, so it keeps its place in the queue.
        cpu.incoming = null;
        victim.cpu = -1;
      }
      victim.state = 'ready';
    }
    for (const cpu of this.#cpus) {
      const run = plan.get(cpu);
      if (!run) continue;
      const switching = cpu.context !== null && cpu.context !== run;
      if (switching) this.#contextSwitches++;
      cpu.context = run;
      if (switching && this.#switchCost > 0) {
        cpu.incoming = run;
        cpu.switchEnd = snap(now + this.#switchCost);
        run.cpu = cpu.index;
      } else {
        this.#startRunning(cpu, run, now, run.expiredOn === cpu.index);
      }
    }
    for (const run of this.#runs) run.expiredOn = -1;
  }

  #nextEventTime(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const cpu of this.#cpus) {
      const run = cpu.running;
      if (run) {
        const quantum = this.#rules.quantum(run);
        let span = untilNextStop(run);
        if (quantum !== undefined) span = Math.min(span, quantum - run.quantumUsed);
        next = Math.min(next, now + span);
      }
      if (cpu.incoming) next = Math.min(next, cpu.switchEnd);
    }
    for (const run of this.#runs) {
      if (run.state === 'blocked') next = Math.min(next, run.blockedUntil);
      else if (run.state === 'new') next = Math.min(next, run.job.arrival);
    }
    // A boost matters only to jobs already in the system; skipping it otherwise also keeps a
    // short boost period from adding thousands of empty events before a late arrival.
    const inSystem = this.#runs.some((run) => run.state !== 'new' && run.state !== 'terminated');
    if (this.#boost !== undefined && inSystem) next = Math.min(next, (this.#boostsDone + 1) * this.#boost);
    return snap(next);
  }
}
