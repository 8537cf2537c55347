// Writes down what the engine does: the slices each CPU ran and every state change. A job
// that keeps its CPU past the end of a quantum (nobody else was waiting) stays one slice.
import type { Slice, State, Transition } from './types.js';

export class Recorder {
  readonly slices: Slice[] = [];
  readonly transitions: Transition[] = [];
  readonly #withLevels: boolean;
  /** Per CPU: the open slice, if a job is running there. */
  readonly #open: ({ job: string; start: number; level: number } | undefined)[];
  /** Per CPU: index in `slices` of the last slice it closed. */
  readonly #lastClosed: number[];

  constructor(cpus: number, withLevels: boolean) {
    this.#withLevels = withLevels;
    this.#open = new Array(cpus).fill(undefined);
    this.#lastClosed = new Array(cpus).fill(-1);
  }

  transition(time: number, job: string, from: State, to: State): void {
    this.transitions.push({ time, job, from, to });
  }

  openSlice(cpu: number, job: string, start: number, level: number): void {
    this.#open[cpu] = { job, start, level };
  }

  closeSlice(cpu: number, end: number): void {
    const open = this.#open[cpu];
    if (!open) return;
    this.#open[cpu] = undefined;
    if (end <= open.start) return;
    const last = this.slices[this.#lastClosed[cpu]!];
    if (last && last.job === open.job && last.end === open.start && (last.level ?? 0) === open.level) {
      last.end = end;
      return;
    }
    const slice: Slice = { job: open.job, cpu, start: open.start, end };
    if (this.#withLevels) slice.level = open.level;
    this.#lastClosed[cpu] = this.slices.push(slice) - 1;
  }
}
