// Whether a function can travel by source: parse its text (acorn) and ask a real scope
// analyser (eslint-scope) which names it uses without declaring them. Globals are fine;
// anything else is a captured variable and the function cannot leave its process.
import { createRequire } from 'node:module';
import type * as acorn from 'acorn';
import type * as eslintScope from 'eslint-scope';
import type * as estree from 'estree';

// Loaded on first use: only a process that sends a function by source needs a parser, and
// loading both costs ~25 ms of every child's start-up otherwise.
const require = createRequire(import.meta.url);
let parser: typeof acorn | undefined;
let scopes: typeof eslintScope | undefined;

export function loadParser(): typeof acorn {
  parser ??= require('acorn') as typeof acorn;
  return parser;
}

export interface SourceForm {
  /** An expression that evaluates to the function: `(src)` or `({src})` for methods. */
  expression: string;
  /** True when the expression is an object literal holding the method. */
  method: boolean;
  /** Free names that are not globals. */
  captures: string[];
}

/** Names a by-source function may use besides globalThis's: loader helpers the receiver provides. */
export const PROVIDED = new Set(['__name']);

const ALWAYS_GLOBAL = new Set(['undefined', 'NaN', 'Infinity', 'globalThis', 'arguments']);

function tryParse(expression: string): estree.Program | undefined {
  try {
    return loadParser().parse(expression, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      ranges: true,
    }) as unknown as estree.Program;
  } catch {
    return undefined;
  }
}

/** The function's source as an expression, or undefined when it is native or a class. */
export function sourceForm(fn: Function): SourceForm | undefined {
  const text = Function.prototype.toString.call(fn);
  if (/^class\b/.test(text) || /\{\s*\[native code\]\s*\}$/.test(text)) return undefined;
  let expression = `(${text})`;
  let method = false;
  let program = tryParse(expression);
  if (!program) {
    expression = `({${text}})`;
    method = true;
    program = tryParse(expression);
  }
  if (!program) return undefined;
  scopes ??= require('eslint-scope') as typeof eslintScope;
  const analysis = scopes.analyze(program as never, { ecmaVersion: 2022 as never, sourceType: 'script' });
  const captures = new Set<string>();
  for (const reference of analysis.globalScope!.through) {
    const name = reference.identifier.name;
    if (ALWAYS_GLOBAL.has(name) || PROVIDED.has(name) || name in globalThis) continue;
    captures.add(name);
  }
  return { expression, method, captures: [...captures] };
}
