// The Gantt chart as a standalone SVG file: one lane per CPU (a colour per job, the MLFQ
// level in a shaded strip under each slice), one lane per job showing when it was ready,
// running or blocked, a time axis with grid lines, and a legend. Every id is XML-escaped.
import { formatTime } from './time.js';
import { stateIntervals } from './timeline.js';
import type { Schedule } from './types.js';

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#86bcb6',
];
const LEVEL_SHADES = ['#f0f0f0', '#c8c8c8', '#a0a0a0', '#787878', '#505050', '#282828'];
const LEFT = 90;
const RIGHT = 30;
const PLOT_WIDTH = 840;
const CPU_HEIGHT = 30;
const LEVEL_HEIGHT = 12;
const JOB_HEIGHT = 16;
const GAP = 10;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function colourOf(index: number): string {
  return PALETTE[index] ?? `hsl(${Math.round((index * 137.508) % 360)}, 55%, 55%)`;
}

function tickStep(span: number): number {
  const steps = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e));
  return steps.find((step) => span / step <= 12) ?? steps.at(-1)!;
}

const n = (value: number): string => String(Math.round(value * 100) / 100);

export function ganttSvg(schedule: Schedule): string {
  const ids = schedule.jobs.map((job) => job.id);
  const colour = new Map(ids.map((id, index) => [id, colourOf(index)]));
  const hasLevels = schedule.slices.some((slice) => slice.level !== undefined);
  const cpus = Math.max(schedule.cpus ?? 1, ...schedule.slices.map((slice) => slice.cpu + 1));
  const scale = PLOT_WIDTH / schedule.makespan;
  const x = (time: number): number => LEFT + time * scale;
  const cpuLane = CPU_HEIGHT + (hasLevels ? LEVEL_HEIGHT : 0) + GAP;
  const top = 50;
  const jobsTop = top + cpus * cpuLane + 24;
  const axisY = jobsTop + ids.length * (JOB_HEIGHT + 4) + 6;
  const legendY = axisY + 46;
  const maxLevel = Math.max(0, ...schedule.slices.map((slice) => slice.level ?? 0));
  const height = legendY + 24 + (hasLevels ? 22 : 0) + 10;
  const width = LEFT + PLOT_WIDTH + RIGHT;
  const out: string[] = [];
  const push = (s: string): void => {
    out.push(s);
  };

  push('<?xml version="1.0" encoding="UTF-8"?>');
  push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  push('<defs><pattern id="io" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">');
  push('<rect width="6" height="6" fill="#ddd"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/>');
  push('</pattern></defs>');
  push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  const utilization = `${(schedule.utilization * 100).toFixed(1)}%`;
  push(
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">Gantt chart: makespan ${formatTime(schedule.makespan)}, utilization ${utilization}, average waiting ${formatTime(schedule.averages.waiting)}</text>`,
  );

  // Grid and axis first, so the slices are drawn over the grid lines.
  const every = tickStep(schedule.makespan);
  for (let k = 0; k * every <= schedule.makespan + 1e-9; k++) {
    const tx = n(x(k * every));
    push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${axisY}" stroke="#e4e4e4"/>`);
    push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    push(`<text x="${tx}" y="${axisY + 18}" text-anchor="middle">${formatTime(k * every)}</text>`);
  }
  push(`<line x1="${LEFT}" y1="${axisY}" x2="${n(x(schedule.makespan))}" y2="${axisY}" stroke="#333"/>`);
  push(`<text x="${n(LEFT + PLOT_WIDTH / 2)}" y="${axisY + 36}" text-anchor="middle">time</text>`);

  for (let cpu = 0; cpu < cpus; cpu++) {
    const y = top + cpu * cpuLane;
    push(`<text x="${LEFT - 10}" y="${y + CPU_HEIGHT / 2 + 4}" text-anchor="end" font-weight="bold">CPU ${cpu}</text>`);
    push(`<rect x="${LEFT}" y="${y}" width="${PLOT_WIDTH}" height="${CPU_HEIGHT}" fill="none" stroke="#bbb"/>`);
    for (const slice of schedule.slices.filter((s) => s.cpu === cpu)) {
      const sx = x(slice.start);
      const sw = Math.max(0.5, (slice.end - slice.start) * scale);
      const level = slice.level === undefined ? '' : `, level ${slice.level}`;
      const tip = `${escapeXml(slice.job)} on CPU ${cpu}: ${formatTime(slice.start)} to ${formatTime(slice.end)}${level}`;
      push(
        `<rect x="${n(sx)}" y="${y}" width="${n(sw)}" height="${CPU_HEIGHT}" fill="${colour.get(slice.job)}" stroke="#fff"><title>${tip}</title></rect>`,
      );
      if (sw >= slice.job.length * 7.5 + 4) {
        push(
          `<text x="${n(sx + sw / 2)}" y="${y + CPU_HEIGHT / 2 + 4}" text-anchor="middle" fill="#fff" font-weight="bold">${escapeXml(slice.job)}</text>`,
        );
      }
      if (slice.level !== undefined) {
        const shade = LEVEL_SHADES[Math.min(slice.level, LEVEL_SHADES.length - 1)];
        const ly = y + CPU_HEIGHT;
        push(
          `<rect x="${n(sx)}" y="${ly}" width="${n(sw)}" height="${LEVEL_HEIGHT}" fill="${shade}" stroke="#fff"><title>${tip}</title></rect>`,
        );
        if (sw >= 18) {
          const ink = slice.level >= 2 ? '#fff' : '#000';
          push(
            `<text x="${n(sx + sw / 2)}" y="${ly + 10}" text-anchor="middle" font-size="9" fill="${ink}">L${slice.level}</text>`,
          );
        }
      }
    }
  }

  push(`<text x="${LEFT - 10}" y="${jobsTop - 8}" text-anchor="end" fill="#555">jobs</text>`);
  ids.forEach((id, row) => {
    const y = jobsTop + row * (JOB_HEIGHT + 4);
    push(`<text x="${LEFT - 10}" y="${y + JOB_HEIGHT - 4}" text-anchor="end">${escapeXml(id)}</text>`);
  });
  const rowOf = new Map(ids.map((id, row) => [id, row]));
  for (const { job, state, start, end } of stateIntervals(schedule)) {
    if (state !== 'ready' && state !== 'running' && state !== 'blocked') continue;
    const y = jobsTop + rowOf.get(job)! * (JOB_HEIGHT + 4);
    const attrs = `x="${n(x(start))}" y="${y}" width="${n(Math.max(0.5, (end - start) * scale))}" height="${JOB_HEIGHT}"`;
    const tip = `<title>${escapeXml(job)} ${state}: ${formatTime(start)} to ${formatTime(end)}</title>`;
    if (state === 'running') push(`<rect ${attrs} fill="${colour.get(job)}">${tip}</rect>`);
    else if (state === 'ready')
      push(`<rect ${attrs} fill="#fff" stroke="${colour.get(job)}" stroke-dasharray="3 2">${tip}</rect>`);
    else push(`<rect ${attrs} fill="url(#io)">${tip}</rect>`);
  }

  let lx = LEFT;
  for (const id of ids) {
    push(`<rect x="${lx}" y="${legendY}" width="12" height="12" fill="${colour.get(id)}"/>`);
    push(`<text x="${lx + 16}" y="${legendY + 10}">${escapeXml(id)}</text>`);
    lx += 28 + id.length * 7;
  }
  lx += 12;
  push(`<rect x="${lx}" y="${legendY}" width="12" height="12" fill="#fff" stroke="#666" stroke-dasharray="3 2"/>`);
  push(`<text x="${lx + 16}" y="${legendY + 10}">ready</text>`);
  push(`<rect x="${lx + 60}" y="${legendY}" width="12" height="12" fill="url(#io)"/>`);
  push(`<text x="${lx + 76}" y="${legendY + 10}">blocked (I/O)</text>`);
  if (hasLevels) {
    const y = legendY + 22;
    push(`<text x="${LEFT}" y="${y + 10}">MLFQ level:</text>`);
    for (let level = 0; level <= maxLevel; level++) {
      const shade = LEVEL_SHADES[Math.min(level, LEVEL_SHADES.length - 1)];
      const bx = LEFT + 80 + level * 50;
      push(`<rect x="${bx}" y="${y}" width="12" height="12" fill="${shade}" stroke="#999"/>`);
      push(`<text x="${bx + 16}" y="${y + 10}">L${level}</text>`);
    }
  }
  push('</svg>');
  return `${out.join('\n')}\n`;
}
