// The terminal Gantt chart: one row per CPU (each slice starts with its job id, '=' carries it
// on), the slice boundaries under it, MLFQ levels when there are any, one state row per job,
// a time axis and a legend. Plain ASCII so it survives any terminal, log or Markdown file.
import { formatTime } from './time.js';
import { chooseScale, columnsOf, jobSymbols, stateTimeline } from './timeline.js';
import type { Schedule, State } from './types.js';

const MAX_COLUMNS = 100;
const NICE_TICKS = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e));
const IDLE = '.';
const FILL = '=';
const STATE_CHARS: Record<State, string> = { new: ' ', ready: '-', running: '#', blocked: '~', terminated: ' ' };

/** Writes `text` at `at` unless it would touch text already placed; returns whether it did. */
function place(row: string[], used: boolean[], at: number, text: string): boolean {
  if (at < 0 || at + text.length > row.length) return false;
  for (let i = Math.max(0, at - 1); i <= Math.min(row.length - 1, at + text.length); i++) if (used[i]) return false;
  for (let i = 0; i < text.length; i++) {
    row[at + i] = text[i]!;
    used[at + i] = true;
  }
  return true;
}

export function ganttText(schedule: Schedule): string {
  const { step, columns, exact } = chooseScale(schedule, MAX_COLUMNS);
  const ids = schedule.jobs.map((job) => job.id);
  const symbols = jobSymbols(ids);
  const hasLevels = schedule.slices.some((slice) => slice.level !== undefined);
  const cpus = Math.max(schedule.cpus ?? 1, ...schedule.slices.map((slice) => slice.cpu + 1));
  const gutter = Math.max(7, ...ids.map((id) => id.length + 2), `CPU ${cpus - 1}`.length + 2);
  const width = columns + 8; // room for the last boundary label
  const lines: string[] = [];
  const line = (label: string, cells: string[]): void => {
    lines.push((label.padEnd(gutter) + cells.join('')).trimEnd());
  };
  let narrow = false;

  // Time axis: a tick every few columns, spaced so the labels never collide.
  const labelWidth = formatTime(columns * step).length + 1;
  const tickEvery =
    NICE_TICKS.map((time) => Math.round(time / step)).find(
      (cols, i) => cols >= Math.max(5, labelWidth) && Math.abs(cols * step - NICE_TICKS[i]!) < 1e-9,
    ) ?? 10;
  const ticks = new Array<string>(width).fill(' ');
  const tickLabels = new Array<string>(width).fill(' ');
  const tickUsed = new Array<boolean>(width).fill(false);
  for (let col = 0; col <= columns; col += tickEvery) {
    ticks[col] = '|';
    place(tickLabels, tickUsed, col, formatTime(col * step));
  }
  line('time', tickLabels);
  line('', ticks);

  for (let cpu = 0; cpu < cpus; cpu++) {
    const row = new Array<string>(columns).fill(IDLE);
    const levels = new Array<string>(columns).fill(' ');
    const bounds = new Array<string>(width).fill(' ');
    const boundsUsed = new Array<boolean>(width).fill(false);
    const slices = schedule.slices.filter((slice) => slice.cpu === cpu);
    for (const slice of slices) {
      const [first, last] = columnsOf(slice.start, slice.end, step);
      const span = last - first;
      if (span <= 0) continue;
      const symbol = symbols.get(slice.job) ?? '?';
      const head = span > slice.job.length ? slice.job : symbol;
      if (head === symbol && slice.job.length > 1) narrow = true;
      const text = (head + FILL.repeat(span)).slice(0, span);
      for (let i = 0; i < span; i++) {
        row[first + i] = text[i]!;
        if (slice.level !== undefined) levels[first + i] = String(slice.level);
      }
    }
    for (const slice of slices) {
      const [first, last] = columnsOf(slice.start, slice.end, step);
      place(bounds, boundsUsed, first, formatTime(slice.start));
      place(bounds, boundsUsed, last, formatTime(slice.end));
    }
    line(`CPU ${cpu}`, row);
    if (hasLevels) line('level', levels);
    line('', bounds);
  }

  lines.push('');
  const stateAt = stateTimeline(schedule);
  for (const id of ids) {
    const row = Array.from({ length: columns }, (_, col) => STATE_CHARS[stateAt(id, (col + 0.5) * step)]);
    line(id, row);
  }

  lines.push('');
  const unit = step === 1 ? '1 time unit' : `${formatTime(step)} time units`;
  lines.push(`1 column = ${unit}${exact ? '' : ' (scaled: short slices may not show)'}`);
  lines.push(`CPU rows: a slice starts with its job's id and '${FILL}' carries it on; '${IDLE}' idle or switching`);
  if (narrow) {
    lines.push(`narrow slices show one character: ${ids.map((id) => `${symbols.get(id)} = ${id}`).join(', ')}`);
  }
  if (hasLevels) lines.push('level: the MLFQ queue the job ran in (0 = highest priority)');
  lines.push('job rows: # running, - ready, ~ blocked (I/O), blank before arrival and after the end');
  return `${lines.join('\n')}\n`;
}
