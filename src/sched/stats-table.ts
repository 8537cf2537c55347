// The statistics the CLI prints under a chart, and the side-by-side comparison of policies.
import { textTable } from './text-table.js';
import { formatTime } from './time.js';
import type { Schedule } from './types.js';

const average = (value: number): string => value.toFixed(2);
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

export function statsTable(schedule: Schedule): string {
  const rows = schedule.jobs.map((job) => [
    job.id,
    formatTime(job.arrival),
    formatTime(job.burst),
    formatTime(job.start),
    formatTime(job.completion),
    formatTime(job.turnaround),
    formatTime(job.waiting),
    formatTime(job.response),
  ]);
  const { waiting, turnaround, response } = schedule.averages;
  rows.push(['average', '', '', '', '', average(turnaround), average(waiting), average(response)]);
  const table = textTable(
    ['job', 'arrival', 'burst', 'start', 'completion', 'turnaround', 'waiting', 'response'],
    rows,
  );
  const cpus = `${schedule.cpus} CPU${schedule.cpus === 1 ? '' : 's'}`;
  return (
    `${table}makespan ${formatTime(schedule.makespan)}, utilization ${percent(schedule.utilization)} ` +
    `of ${cpus}, ${schedule.contextSwitches} context switch${schedule.contextSwitches === 1 ? '' : 'es'}\n`
  );
}

export function comparisonTable(entries: { label: string; schedule: Schedule }[]): string {
  return textTable(
    ['policy', 'avg waiting', 'avg turnaround', 'avg response', 'makespan', 'utilization', 'switches'],
    entries.map(({ label, schedule }) => [
      label,
      average(schedule.averages.waiting),
      average(schedule.averages.turnaround),
      average(schedule.averages.response),
      formatTime(schedule.makespan),
      percent(schedule.utilization),
      String(schedule.contextSwitches),
    ]),
  );
}
