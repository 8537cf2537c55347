// Policies written as short strings, for the command line: `fcfs`, `sjf`, `srtf`, `priority`,
// `priority:preemptive`, `rr:4`, `mlfq:1,2,4` — and back again, to label charts and tables.
import type { Policy } from './types.js';
import { POLICY_KINDS } from './validate.js';

export interface PolicyDefaults {
  quantum?: number | undefined;
  quanta?: number[] | undefined;
  boost?: number | undefined;
  preemptive?: boolean | undefined;
}

function parseNumber(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new TypeError(`${what} must be a number, got "${text}"`);
  return value;
}

export function parseNumberList(text: string, what: string): number[] {
  return text.split(',').map((part) => parseNumber(part.trim(), what));
}

/** Parses one policy spec; parameters missing from the spec come from `defaults` (the flags). */
export function parsePolicySpec(spec: string, defaults: PolicyDefaults = {}): Policy {
  const [name = '', argument] = spec.trim().split(/:(.*)/s) as [string, string | undefined];
  const kind = name.toLowerCase();
  switch (kind) {
    case 'fcfs':
    case 'sjf':
    case 'srtf':
      if (argument) throw new TypeError(`policy "${spec}": ${kind} takes no parameter`);
      return { kind };
    case 'priority': {
      if (argument && argument !== 'preemptive' && argument !== 'nonpreemptive') {
        throw new TypeError(`policy "${spec}": write priority, priority:preemptive or priority:nonpreemptive`);
      }
      const preemptive = argument ? argument === 'preemptive' : (defaults.preemptive ?? false);
      return { kind, preemptive };
    }
    case 'rr': {
      const quantum = argument ? parseNumber(argument, `rr quantum in "${spec}"`) : defaults.quantum;
      if (quantum === undefined) throw new TypeError(`policy "${spec}": give the time slice, as rr:4 or --quantum 4`);
      return { kind, quantum };
    }
    case 'mlfq': {
      const quanta = argument ? parseNumberList(argument, `mlfq quanta in "${spec}"`) : defaults.quanta;
      if (quanta === undefined) {
        throw new TypeError(`policy "${spec}": give the time slice of each level, as mlfq:1,2,4 or --quanta 1,2,4`);
      }
      return defaults.boost === undefined ? { kind, quanta } : { kind, quanta, boost: defaults.boost };
    }
    default:
      throw new TypeError(`unknown policy "${spec}": use one of ${POLICY_KINDS.join(', ')} (e.g. rr:4, mlfq:1,2,4)`);
  }
}

/**
 * Splits a --compare list. Commas separate policies and also MLFQ's quanta, so a bare number
 * continues the policy before it: "fcfs,rr:4,mlfq:1,2,4" is fcfs, rr:4 and mlfq:1,2,4.
 */
export function splitPolicyList(list: string): string[] {
  const specs: string[] = [];
  for (const part of list.split(',')) {
    const token = part.trim();
    if (token === '') continue;
    if (/^[\d.]+$/.test(token) && specs.length > 0) specs[specs.length - 1] += `,${token}`;
    else specs.push(token);
  }
  return specs;
}

export function policyLabel(policy: Policy): string {
  switch (policy.kind) {
    case 'rr':
      return `rr:${policy.quantum}`;
    case 'mlfq':
      return `mlfq:${policy.quanta.join(',')}${policy.boost === undefined ? '' : ` boost ${policy.boost}`}`;
    case 'priority':
      return policy.preemptive ? 'priority:preemptive' : 'priority';
    default:
      return policy.kind;
  }
}
