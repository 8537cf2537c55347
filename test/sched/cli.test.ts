// `multiprocessing sched`, called in-process with its output captured.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { schedCommand } from '../../src/cli/sched.js';

const dir = mkdtempSync(join(tmpdir(), 'sched-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await schedCommand(argv, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
  });
  return { code, out, err };
}

test('sched cli: reads a CSV file and prints the chart and the statistics table', async () => {
  const jobs = file('jobs.csv', 'id,arrival,burst,priority\nP1,0,24,\nP2,0,3\nP3,0,3\n');
  const { code, out, err } = await run('--jobs', jobs, '--policy', 'rr', '--quantum', '4');
  assert.equal(code, 0, err);
  assert.match(out, /== rr:4 \(1 CPU, context switch 0\) ==/);
  assert.match(out, /^CPU 0 +P1=+P2=+P3=+P1=+$/m);
  assert.match(out, /^average +15\.67 +5\.67 +3\.67$/m);
  assert.match(out, /makespan 30, utilization 100\.0% of 1 CPU/);
});

test('sched cli: jobs from --job flags, 2 CPUs and a context switch', async () => {
  const { code, out } = await run(
    '--job',
    'A,0,5',
    '--job',
    'B,1,3',
    '--job',
    'C,2,1',
    '--cpus',
    '2',
    '--context-switch',
    '1',
  );
  assert.equal(code, 0);
  assert.match(out, /^CPU 1 /m);
  assert.match(out, /2 CPUs, context switch 1/);
});

test('sched cli: --compare runs every policy and prints them side by side', async () => {
  const jobs = file(
    'compare.json',
    JSON.stringify(
      [
        { id: 'P1', arrival: 0, burst: 8 },
        { id: 'P2', arrival: 1, burst: 4 },
        { id: 'P3', arrival: 2, burst: 9 },
        { id: 'P4', arrival: 3, burst: 5 },
      ],
      null,
      2,
    ),
  );
  const { code, out } = await run('--jobs', jobs, '--compare', 'fcfs,sjf,srtf,rr:4,mlfq:1,2,4');
  assert.equal(code, 0);
  const table = out.slice(out.indexOf('== comparison'));
  assert.match(table, /^policy +avg waiting +avg turnaround +avg response +makespan +utilization +switches$/m);
  for (const label of ['fcfs', 'sjf', 'srtf', 'rr:4', 'mlfq:1,2,4']) assert.match(table, new RegExp(`^${label} `, 'm'));
  assert.match(table, /^srtf +6\.50 /m);
  assert.equal(out.match(/^== /gm)!.length, 6);
});

test('sched cli: --svg writes the chart as an SVG file (one per policy with --compare)', async () => {
  const svg = join(dir, 'chart.svg');
  const single = await run('--job', 'A,0,2', '--job', 'B,0,1', '--policy', 'sjf', '--svg', svg);
  assert.equal(single.code, 0);
  assert.match(readFileSync(svg, 'utf8'), /^<\?xml[\s\S]*<\/svg>\n$/);
  const several = await run('--job', 'A,0,2', '--compare', 'fcfs,mlfq:1,2', '--svg', svg);
  assert.equal(several.code, 0);
  assert.match(readFileSync(join(dir, 'chart-mlfq-1-2.svg'), 'utf8'), />L0</);
  assert.match(several.err, /wrote .*chart-fcfs\.svg/);
});

test('sched cli: a bad CSV row is reported with its line number and exit code 2', async () => {
  const jobs = file('bad.csv', '# my jobs\nid,arrival,burst\nA,0,5\n\nB,1,zero\nC,-1,2\nA,3,1\n');
  const { code, out, err } = await run('--jobs', jobs);
  assert.equal(code, 2);
  assert.equal(out, '');
  assert.match(err, /bad\.csv:5: burst "zero" is not a number/);
  assert.match(err, /bad\.csv:6: job "C": arrival must be 0 or later, got -1/);
  assert.match(err, /bad\.csv:7: duplicate job id "A" \(first on line 3\)/);
});

test('sched cli: bad JSON is reported with its line number and exit code 2', async () => {
  const syntax = file(
    'syntax.json',
    '[\n  { "id": "A", "arrival": 0, "burst": 1 },\n  { "id": "B" "arrival": 0 }\n]\n',
  );
  const broken = await run('--jobs', syntax);
  assert.equal(broken.code, 2);
  assert.match(broken.err, /syntax\.json:3: invalid JSON/);
  const invalid = file(
    'invalid.json',
    '{ "jobs": [\n  { "id": "A", "arrival": 0, "burst": 1 },\n\n  { "id": "B", "arrival": 0, "burst": 0 }\n] }\n',
  );
  const bad = await run('--jobs', invalid);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /invalid\.json:4: job 2: job "B": burst must be greater than 0/);
});

test('sched cli: usage errors exit 2 with a message saying what to do', async () => {
  const missing = await run('--jobs', join(dir, 'nope.csv'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.csv: cannot read the jobs file: no such file/);
  const noJobs = await run('--policy', 'fcfs');
  assert.equal(noJobs.code, 2);
  assert.match(noJobs.err, /no jobs: give --jobs FILE or --job/);
  const unknown = await run('--job', 'A,0,1', '--policy', 'lottery');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown policy "lottery"/);
  const quantum = await run('--job', 'A,0,1', '--policy', 'rr');
  assert.match(quantum.err, /give the time slice, as rr:4 or --quantum 4/);
  const zero = await run('--job', 'A,0,1', '--policy', 'rr:0');
  assert.equal(zero.code, 2);
  assert.match(zero.err, /rr quantum must be greater than 0/);
  const flag = await run('--job', 'A,0,1', '--frobnicate');
  assert.equal(flag.code, 2);
  assert.match(flag.err, /Unknown option '--frobnicate'/);
  const job = await run('--job', 'A,0');
  assert.equal(job.code, 2);
  assert.match(job.err, /--job "A,0" \(number 1\): burst is missing/);
});

test('sched cli: --help, --json, --states and --transitions', async () => {
  const help = await run('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: multiprocessing sched/);
  const json = await run('--job', 'A,0,2', '--job', 'B,0,1', '--policy', 'sjf', '--json');
  const schedule = JSON.parse(json.out);
  assert.equal(schedule.policy, 'sjf');
  assert.deepEqual(
    schedule.slices.map((s: { job: string }) => s.job),
    ['B', 'A'],
  );
  const states = await run('--job', 'A,0,2', '--states', '--transitions');
  assert.match(states.out, /new ──admitted +1──▶ ready/);
  assert.match(states.out, /^ +0 +A +new -> ready$/m);
});
