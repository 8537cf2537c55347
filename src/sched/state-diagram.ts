// The five-state process diagram (new, ready, running, blocked, terminated) drawn with the
// number of times each edge was taken in a real Schedule: the textbook figure (edge names as
// in Silberschatz's), filled in.
import type { Schedule, State } from './types.js';

const TEMPLATE = [
  'new ──admitted {a}──▶ ready ──dispatch {b}──▶ running ──exit {c}──▶ terminated',
  '                      ▲  ▲                     │   │',
  '                      │  └───── interrupt {d} ─┘   │',
  '                      │                            │ I/O wait {e}',
  '                      └── I/O done {f} ─ blocked ◀─┘',
];

export function stateDiagram(schedule: Schedule): string {
  const count = (from: State, to: State): string =>
    String(schedule.transitions.filter((t) => t.from === from && t.to === to).length).padStart(3);
  const counts: Record<string, string> = {
    a: count('new', 'ready'),
    b: count('ready', 'running'),
    c: count('running', 'terminated'),
    d: count('running', 'ready'),
    e: count('running', 'blocked'),
    f: count('blocked', 'ready'),
  };
  return `${TEMPLATE.map((line) => line.replace(/\{(\w)\}/g, (_, key: string) => counts[key]!)).join('\n')}\n`;
}
