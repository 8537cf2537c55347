// The charts: a readable terminal chart and a standalone, well-formed SVG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gantt, type Job, type Schedule, simulate, stateDiagram } from '../../src/sched.js';

const rrJobs: Job[] = [
  { id: 'P1', arrival: 0, burst: 24 },
  { id: 'P2', arrival: 0, burst: 3 },
  { id: 'P3', arrival: 0, burst: 3 },
];

/** Checks that tags nest and close properly and attributes are quoted: enough to catch broken XML. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  assert.doesNotMatch(body, /&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/, 'unescaped &');
  const stack: string[] = [];
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  const tags = body.match(/<[^>]*>/g) ?? [];
  const parsed = [...body.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)].length;
  assert.equal(parsed, tags.length, 'a tag with malformed attributes');
}

test('sched: the text chart has a row per CPU, the slice boundaries, a time axis and a legend', () => {
  const text = gantt(simulate(rrJobs, { kind: 'rr', quantum: 4 }));
  assert.match(text, /^time +0 +5 +10/m);
  assert.match(text, /^CPU 0 +P1=+P2=+P3=+P1=+$/m);
  assert.match(text, /^ +0 +4 +7 +10 +30$/m);
  assert.match(text, /^P2 +-+#+$/m); // ready, then running
  assert.match(text, /1 column = 0\.5 time units/);
  assert.match(text, /# running, - ready, ~ blocked/);
  assert.equal(gantt(simulate(rrJobs, { kind: 'rr', quantum: 4 }), { format: 'text' }), text);
});

test('sched: the text chart shows every CPU, MLFQ levels and blocked time', () => {
  const twoCpus = gantt(simulate(rrJobs, { kind: 'fcfs' }, { cpus: 3 }));
  assert.match(twoCpus, /^CPU 1 /m);
  assert.match(twoCpus, /^CPU 2 +P3==/m);
  const mlfq = gantt(
    simulate(
      [
        { id: 'A', arrival: 0, burst: 3 },
        { id: 'B', arrival: 0, burst: 2, io: [{ after: 1, duration: 2 }] },
      ],
      { kind: 'mlfq', quanta: [1, 2] },
    ),
  );
  assert.match(mlfq, /^level +[01]+/m);
  assert.match(mlfq, /^B +[-# ]*~+/m);
  assert.match(mlfq, /MLFQ queue/);
});

test('sched: the text chart scales long schedules to at most 100 columns', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 700 },
      { id: 'B', arrival: 0, burst: 300 },
    ],
    { kind: 'rr', quantum: 100 },
  );
  const row = gantt(schedule)
    .split('\n')
    .find((line) => line.startsWith('CPU 0'))!;
  assert.ok(row.length <= 7 + 100, row);
  assert.match(gantt(schedule), /1 column = 10 time units/);
});

test('sched: the SVG is a standalone, well-formed document with a colour per job and axis labels', () => {
  const schedule = simulate(rrJobs, { kind: 'rr', quantum: 4 }, { cpus: 2 });
  const svg = gantt(schedule, { format: 'svg' });
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assertWellFormed(svg);
  const fills = new Map<string, string>();
  for (const [, fill, job] of svg.matchAll(/fill="(#[0-9a-f]{6})" stroke="#fff"><title>(\w+) on CPU/g)) {
    fills.set(job!, fill!);
  }
  assert.deepEqual([...fills.keys()].sort(), ['P1', 'P2', 'P3']);
  assert.equal(new Set(fills.values()).size, 3, 'one colour per job');
  assert.match(svg, />CPU 0</);
  assert.match(svg, />CPU 1</);
  assert.match(svg, />time</);
  for (const tick of ['0', '4', '10', '24']) assert.match(svg, new RegExp(`text-anchor="middle">${tick}</text>`));
});

test('sched: the SVG shows MLFQ levels and escapes job ids', () => {
  const schedule: Schedule = simulate(
    [
      { id: 'a<b&"c"', arrival: 0, burst: 3 },
      { id: 'd', arrival: 0, burst: 1 },
    ],
    { kind: 'mlfq', quanta: [1, 1, 1] },
  );
  const svg = gantt(schedule, { format: 'svg' });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /a<b/);
  assert.match(svg, /a&#60;b&#38;&#34;c&#34;/);
  assert.match(svg, />L0</);
  assert.match(svg, />L2</);
  assert.match(svg, /MLFQ level:/);
});

test('sched: stateDiagram counts every edge of the five-state diagram', () => {
  const schedule = simulate(
    [
      { id: 'A', arrival: 0, burst: 5, io: [{ after: 2, duration: 3 }] },
      { id: 'B', arrival: 1, burst: 3 },
    ],
    { kind: 'rr', quantum: 2 },
  );
  const diagram = stateDiagram(schedule);
  const count = (from: string, to: string) => schedule.transitions.filter((t) => t.from === from && t.to === to).length;
  assert.match(
    diagram,
    new RegExp(`admitted +${count('new', 'ready')}──▶ ready ──dispatch +${count('ready', 'running')}`),
  );
  assert.match(diagram, new RegExp(`interrupt +${count('running', 'ready')} `));
  assert.match(diagram, new RegExp(`I/O wait +${count('running', 'blocked')}`));
  assert.match(diagram, new RegExp(`I/O done +${count('blocked', 'ready')} `));
  assert.equal(count('running', 'blocked'), 1);
});
