// One job from text fields (a CSV row or a --job flag), and the problems a jobs file can have,
// each tied to its line so the command can say exactly where to look.
import type { IoBurst, Job } from './types.js';
import { validateJobs } from './validate.js';

export interface InputProblem {
  line: number;
  message: string;
}

export interface ParsedJobs {
  jobs: Job[];
  /** Line of each job in its source, in the same order as `jobs`. */
  lines: number[];
  problems: InputProblem[];
}

export const JOB_COLUMNS = ['id', 'arrival', 'burst', 'priority', 'io'] as const;
export type JobColumn = (typeof JOB_COLUMNS)[number];

function number(text: string | undefined, column: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw new TypeError(
      `${column} ${text === undefined || text.trim() === '' ? 'is missing' : `"${text}" is not a number`}`,
    );
  }
  return value;
}

/** `after:duration` pairs separated by `;`, e.g. `2:3;5:1`. */
function ioBursts(text: string): IoBurst[] {
  return text.split(';').map((pair) => {
    const [after, duration, extra] = pair.split(':');
    if (extra !== undefined || duration === undefined) {
      throw new TypeError(`io "${text}" must be after:duration pairs separated by ';', e.g. 2:3;5:1`);
    }
    return { after: number(after, 'io after'), duration: number(duration, 'io duration') };
  });
}

/** Builds and checks one job; throws TypeError/RangeError with a message that names the field. */
export function jobFromFields(fields: Partial<Record<JobColumn, string>>): Job {
  const id = fields.id?.trim() ?? '';
  if (id === '') throw new TypeError('id is missing');
  const job: Job = { id, arrival: number(fields.arrival, 'arrival'), burst: number(fields.burst, 'burst') };
  if (fields.priority?.trim()) job.priority = number(fields.priority, 'priority');
  if (fields.io?.trim()) job.io = ioBursts(fields.io.trim());
  validateJobs([job]);
  return job;
}

/** Adds a problem for every id seen before, naming the line it was first seen on. */
export function findDuplicates(parsed: ParsedJobs): void {
  const first = new Map<string, number>();
  parsed.jobs.forEach((job, i) => {
    const line = parsed.lines[i]!;
    const earlier = first.get(job.id);
    if (earlier === undefined) first.set(job.id, line);
    else parsed.problems.push({ line, message: `duplicate job id "${job.id}" (first on line ${earlier})` });
  });
  parsed.problems.sort((a, b) => a.line - b.line);
}
