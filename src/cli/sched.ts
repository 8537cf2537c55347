// `multiprocessing sched`: simulate CPU scheduling for jobs from a CSV/JSON file or flags,
// print the Gantt chart and the statistics, write an SVG, or compare several policies.
// Exit codes: 0 done, 2 bad flags or a bad jobs file (with the line), 1 anything unexpected.
import { writeFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { jobFromFields } from '../sched/job-row.js';
import {
  type PolicyDefaults,
  parseNumberList,
  parsePolicySpec,
  policyLabel,
  splitPolicyList,
} from '../sched/policy-spec.js';
import { readJobsFile } from '../sched/read-jobs.js';
import { comparisonTable, statsTable } from '../sched/stats-table.js';
import { gantt, type Job, type Policy, type Schedule, simulate, stateDiagram } from '../sched.js';

export interface Output {
  write(text: string): unknown;
}

const usage = `usage: multiprocessing sched (--jobs FILE | --job ID,ARRIVAL,BURST[,PRIORITY] ...) [options]

jobs
  --jobs FILE             CSV rows id,arrival,burst[,priority[,io]] (a header line is optional;
                          io is after:duration pairs separated by ';') or a JSON array of
                          { "id", "arrival", "burst", "priority"?, "io"?: [{ "after", "duration" }] }
  --job ID,ARRIVAL,BURST[,PRIORITY]   one job; repeat the flag for more

policy
  --policy SPEC           fcfs (default), sjf, srtf, priority, priority:preemptive, rr:Q, mlfq:Q0,Q1,...
  --quantum Q             the time slice for --policy rr
  --quanta Q0,Q1,...      the time slice of each MLFQ level (level 0 first) for --policy mlfq
  --boost T               MLFQ: move every job back to level 0 every T time units
  --preemptive            priority: a more urgent job takes the CPU at once
  --compare SPEC,...      run several policies on the same jobs, e.g. fcfs,sjf,rr:4,mlfq:1,2,4

machine
  --cpus N                number of CPUs (default 1)
  --context-switch T      time a CPU needs to switch to another job (default 0)

output
  --svg FILE              also write the chart as SVG (with --compare: one FILE-<policy>.svg each)
  --transitions           list every state change (new, ready, running, blocked, terminated)
  --states                draw the process-state diagram with how often each edge was taken
  --json                  print the schedule(s) as JSON instead of charts
  -h, --help              this text

example
  multiprocessing sched --job P1,0,24 --job P2,0,3 --job P3,0,3 --policy rr:4 --svg rr.svg
`;

class UsageError extends Error {}

const OPTIONS = {
  jobs: { type: 'string' },
  job: { type: 'string', multiple: true },
  policy: { type: 'string' },
  quantum: { type: 'string' },
  quanta: { type: 'string' },
  boost: { type: 'string' },
  preemptive: { type: 'boolean' },
  compare: { type: 'string' },
  cpus: { type: 'string' },
  'context-switch': { type: 'string' },
  svg: { type: 'string' },
  transitions: { type: 'boolean' },
  states: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const parseFlags = (args: string[]) => parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });

function positiveNumber(text: string | undefined, flag: string, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`${flag} must be a number ${allowZero ? '0 or more' : 'greater than 0'}, got "${text}"`);
  }
  return value;
}

function svgPath(base: string, label: string, several: boolean): string {
  if (!several) return base;
  const suffix = label.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '');
  return /\.svg$/i.test(base) ? base.replace(/\.svg$/i, `-${suffix}.svg`) : `${base}-${suffix}.svg`;
}

export async function schedCommand(
  argv: string[],
  io: { stdout: Output; stderr: Output } = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const fail = (message: string, hint = 'run `multiprocessing sched --help` for the options'): number => {
    io.stderr.write(`multiprocessing sched: ${message}\n${hint ? `${hint}\n` : ''}`);
    return 2;
  };
  let values: ReturnType<typeof parseFlags>['values'];
  try {
    values = parseFlags(argv).values;
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }

  let policies: Policy[];
  let cpus: number;
  let contextSwitch: number;
  try {
    const defaults: PolicyDefaults = {
      quantum: positiveNumber(values.quantum, '--quantum'),
      quanta: values.quanta === undefined ? undefined : parseNumberList(values.quanta, '--quanta'),
      boost: positiveNumber(values.boost, '--boost'),
      preemptive: values.preemptive,
    };
    const specs = values.compare !== undefined ? splitPolicyList(values.compare) : [values.policy ?? 'fcfs'];
    if (specs.length === 0) throw new UsageError('--compare needs at least one policy, e.g. fcfs,sjf,rr:4');
    if (values.compare !== undefined && values.policy !== undefined) {
      throw new UsageError('give either --policy or --compare, not both');
    }
    policies = specs.map((spec) => parsePolicySpec(spec, defaults));
    cpus = positiveNumber(values.cpus, '--cpus') ?? 1;
    if (!Number.isInteger(cpus)) throw new UsageError(`--cpus must be a whole number, got "${values.cpus}"`);
    contextSwitch = positiveNumber(values['context-switch'], '--context-switch', true) ?? 0;
  } catch (error) {
    return fail((error as Error).message);
  }

  const jobs: Job[] = [];
  if (values.jobs !== undefined) {
    const parsed = await readJobsFile(values.jobs);
    if (parsed.problems.length > 0) {
      const lines = parsed.problems.map(
        ({ line, message }) => `${values.jobs}${line > 0 ? `:${line}` : ''}: ${message}`,
      );
      return fail(
        `bad jobs file\n${lines.join('\n')}`,
        'fix the lines above; run `multiprocessing sched --help` for the format',
      );
    }
    jobs.push(...parsed.jobs);
  }
  for (const [index, flag] of (values.job ?? []).entries()) {
    try {
      const [id, arrival, burst, priority] = flag.split(',');
      jobs.push(jobFromFields({ id, arrival, burst, priority }));
    } catch (error) {
      return fail(
        `--job "${flag}" (number ${index + 1}): ${(error as Error).message}`,
        'write it as --job ID,ARRIVAL,BURST[,PRIORITY]',
      );
    }
  }
  if (jobs.length === 0) return fail('no jobs: give --jobs FILE or --job ID,ARRIVAL,BURST (repeatable)');

  const results: { label: string; schedule: Schedule }[] = [];
  try {
    for (const policy of policies) {
      results.push({ label: policyLabel(policy), schedule: simulate(jobs, policy, { cpus, contextSwitch }) });
    }
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return fail(error.message);
    throw error;
  }

  if (values.json) {
    const data = results.map(({ label, schedule }) => ({ policy: label, ...schedule }));
    io.stdout.write(`${JSON.stringify(values.compare === undefined ? data[0] : data, null, 2)}\n`);
  } else {
    const machine = `${cpus} CPU${cpus === 1 ? '' : 's'}, context switch ${contextSwitch}`;
    for (const { label, schedule } of results) {
      io.stdout.write(`== ${label} (${machine}) ==\n\n${gantt(schedule)}\n${statsTable(schedule)}\n`);
      if (values.states) io.stdout.write(`${stateDiagram(schedule)}\n`);
      if (values.transitions) {
        const lines = schedule.transitions.map((t) => `${String(t.time).padStart(8)}  ${t.job}  ${t.from} -> ${t.to}`);
        io.stdout.write(`transitions\n${lines.join('\n')}\n\n`);
      }
    }
    if (results.length > 1) io.stdout.write(`== comparison (${machine}) ==\n\n${comparisonTable(results)}`);
  }
  if (values.svg !== undefined) {
    for (const { label, schedule } of results) {
      const path = svgPath(values.svg, label, results.length > 1);
      await writeFile(path, gantt(schedule, { format: 'svg' }));
      io.stderr.write(`wrote ${path}\n`);
    }
  }
  return 0;
}
