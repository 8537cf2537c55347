// What both chart renderers need from a Schedule: the span to draw, a grid of columns that
// lands on slice boundaries when it can, each job's state at any time, and short symbols.
import type { Schedule, State } from './types.js';

const NICE_STEPS = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e));

export interface Scale {
  /** Time one column stands for. */
  step: number;
  columns: number;
  /** True when every slice boundary falls on a column edge (the chart is exact). */
  exact: boolean;
}

function divides(step: number, times: number[]): boolean {
  return times.every((t) => Math.abs(t / step - Math.round(t / step)) < 1e-6);
}

/** The finest grid of at most `maxColumns` columns that still lands on every boundary if it can. */
export function chooseScale(schedule: Schedule, maxColumns: number): Scale {
  const end = schedule.makespan;
  const times = schedule.slices.flatMap((slice) => [slice.start, slice.end]);
  const fits = NICE_STEPS.find((step) => Math.ceil(end / step - 1e-9) <= maxColumns) ?? NICE_STEPS.at(-1)!;
  const resolution = [...NICE_STEPS].reverse().find((step) => step <= 1 && divides(step, times)) ?? NICE_STEPS[0]!;
  let step = Math.max(fits, resolution);
  // A short chart is spread out (each grid step split in k) so its labels have room.
  const spread = Math.min(Math.floor((maxColumns * 0.7) / Math.ceil(end / step - 1e-9)), 10);
  if (spread > 1) step /= spread;
  return { step, columns: Math.max(1, Math.ceil(end / step - 1e-9)), exact: divides(step, times) };
}

/** Column range [first, last) covering [start, end): the columns whose midpoint lies inside. */
export function columnsOf(start: number, end: number, step: number): [number, number] {
  return [Math.ceil(start / step - 0.5 - 1e-9), Math.ceil(end / step - 0.5 - 1e-9)];
}

/** Each job's state as a function of time, from the schedule's transitions. */
export function stateTimeline(schedule: Schedule): (job: string, time: number) => State {
  const byJob = new Map<string, { time: number; to: State }[]>();
  for (const { job, time, to } of schedule.transitions) {
    let list = byJob.get(job);
    if (!list) byJob.set(job, (list = []));
    list.push({ time, to });
  }
  return (job, time) => {
    let state: State = 'new';
    for (const change of byJob.get(job) ?? []) {
      if (change.time > time) break;
      state = change.to;
    }
    return state;
  };
}

/** The intervals each job spends in each state, from the transitions. */
export function stateIntervals(schedule: Schedule): { job: string; state: State; start: number; end: number }[] {
  const out: { job: string; state: State; start: number; end: number }[] = [];
  const open = new Map<string, { state: State; start: number }>();
  for (const { job, time, to } of schedule.transitions) {
    const current = open.get(job);
    if (current && time > current.start) out.push({ job, state: current.state, start: current.start, end: time });
    open.set(job, { state: to, start: time });
  }
  return out;
}

/** One character per job for slices too narrow for the id: the first character, the last, or a letter. */
export function jobSymbols(ids: string[]): Map<string, string> {
  const unique = (pick: (id: string) => string): boolean => new Set(ids.map(pick)).size === ids.length;
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let pick: (id: string, index: number) => string;
  if (unique((id) => id[0]!)) pick = (id) => id[0]!;
  else if (unique((id) => id.at(-1)!)) pick = (id) => id.at(-1)!;
  else pick = (_, index) => letters[index % letters.length]!;
  return new Map(ids.map((id, index) => [id, pick(id, index)]));
}
