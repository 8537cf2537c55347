// Which export (if any) a function is, found without importing anything: CommonJS modules
// are looked up in require.cache by identity; ES modules are parsed (acorn, on the source V8
// actually runs) into a table from each top-level function/class to the names it is
// exported under.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as estree from 'estree';
import { loadParser } from './free-variables.js';
import { type FunctionLocation, scriptSource } from './function-location.js';

const require = createRequire(import.meta.url);

interface Definition {
  local: string | null;
  defaultExport: boolean;
}

interface ModuleTable {
  /** Top-level functions/classes by the source offset V8 reports as their location. */
  definitions: Map<number, Definition>;
  /** local binding → export names */
  exports: Map<string, string[]>;
  lineStarts: number[];
}

const tables = new Map<string, ModuleTable | null>();
/** Sources read for declaredExport() (modules whose functions are sent; not parsed yet). */
const sources = new Map<string, string>();

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * The offset V8 reports as a function's location: a class's constructor's opening
 * parenthesis (its `class` keyword when it has no constructor); a function's opening
 * parenthesis (a parenthesis-free arrow: its parameter).
 */
function functionPosition(source: string, node: estree.Node): number {
  const start = (node as unknown as { start: number }).start;
  if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
    const constructor = node.body.body.find(
      (member) => member.type === 'MethodDefinition' && member.kind === 'constructor',
    );
    return constructor ? (constructor as estree.MethodDefinition & { value: { start: number } }).value.start : start;
  }
  const fn = node as estree.Function;
  if (fn.type === 'ArrowFunctionExpression' && fn.params.length === 1) {
    const param = fn.params[0] as unknown as { start: number };
    if (!source.slice(start, param.start).includes('(')) return param.start;
  }
  const from = fn.type !== 'ArrowFunctionExpression' && fn.id ? (fn.id as unknown as { end: number }).end : start;
  const paren = source.indexOf('(', from);
  return paren < 0 ? start : paren;
}

/** esbuild's keepNames (used by tsx) wraps initialisers: `const f = __name((x) => …, "f")`. */
function unwrapKeepNames(node: estree.Expression | null | undefined): estree.Node | null | undefined {
  if (
    node?.type === 'CallExpression' &&
    node.callee.type === 'Identifier' &&
    node.callee.name === '__name' &&
    node.arguments[0]
  ) {
    return node.arguments[0] as estree.Node;
  }
  return node;
}

function buildTable(source: string): ModuleTable | null {
  let program: estree.Program;
  try {
    program = loadParser().parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      allowHashBang: true,
    }) as unknown as estree.Program;
  } catch {
    return null;
  }
  const table: ModuleTable = { definitions: new Map(), exports: new Map(), lineStarts: lineStarts(source) };
  const exportAs = (local: string, exported: string) => {
    const names = table.exports.get(local) ?? [];
    names.push(exported);
    table.exports.set(local, names);
  };
  const define = (node: estree.Node, local: string | null, defaultExport = false) => {
    table.definitions.set(functionPosition(source, node), { local, defaultExport });
  };
  const aliases = new Map<string, string>(); // const b = a;  (b is another name for a)
  const declare = (declaration: estree.Declaration | estree.Statement, exported: boolean) => {
    if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') {
      if (declaration.id) {
        define(declaration, declaration.id.name);
        if (exported) exportAs(declaration.id.name, declaration.id.name);
      }
    } else if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type !== 'Identifier') continue;
        const init = unwrapKeepNames(declarator.init);
        if (init?.type === 'Identifier') aliases.set(declarator.id.name, init.name);
        if (init && /^(FunctionExpression|ArrowFunctionExpression|ClassExpression)$/.test(init.type)) {
          define(init, declarator.id.name);
        }
        if (exported) exportAs(declarator.id.name, declarator.id.name);
      }
    }
  };
  for (const statement of program.body) {
    switch (statement.type) {
      case 'ExportNamedDeclaration':
        if (statement.declaration) declare(statement.declaration, true);
        else if (!statement.source) {
          for (const specifier of statement.specifiers) {
            const local = specifier.local.type === 'Identifier' ? specifier.local.name : String(specifier.local.value);
            const exported =
              specifier.exported.type === 'Identifier' ? specifier.exported.name : String(specifier.exported.value);
            exportAs(local, exported);
          }
        }
        break;
      case 'ExportDefaultDeclaration': {
        const declaration = statement.declaration;
        if (declaration.type === 'Identifier') exportAs(declaration.name, 'default');
        else if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') {
          const local = declaration.id?.name ?? null;
          define(declaration as estree.Node, local, true);
          if (local) exportAs(local, 'default');
        } else if (/^(FunctionExpression|ArrowFunctionExpression|ClassExpression)$/.test(declaration.type)) {
          define(declaration, null, true);
        }
        break;
      }
      default:
        declare(statement as estree.Statement, false);
    }
  }
  for (const [alias, target] of aliases) {
    for (const name of table.exports.get(alias) ?? []) exportAs(target, name);
  }
  return table;
}

function tableFor(location: FunctionLocation): ModuleTable | null {
  let table = tables.get(location.scriptId);
  if (table === undefined) {
    table = buildTable(sources.get(location.scriptId) ?? scriptSource(location.scriptId));
    tables.set(location.scriptId, table);
    sources.delete(location.scriptId);
  }
  return table;
}

/**
 * `export [default] [async] function [*] name` written right before the function's opening
 * parenthesis (where V8 puts a function's location): such a declaration can only stand at a
 * module's top level, so this is the export, found without a parser (loading one and reading
 * the module with it made the first serialization in a process ~40 ms slower). Anything
 * else: undefined, and the module is parsed.
 */
const DECLARATION = /(?:^|[\s;}])export\s+(default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)?\s*$/;

function declaredExport(source: string, location: FunctionLocation): string | undefined {
  let offset = 0;
  for (let line = 0; line < location.line; line++) {
    offset = source.indexOf('\n', offset) + 1;
    if (offset === 0) return undefined;
  }
  offset += location.column;
  if (source[offset] !== '(') return undefined;
  const match = DECLARATION.exec(source.slice(Math.max(0, offset - 200), offset));
  if (!match) return undefined;
  return match[1] ? 'default' : match[2];
}

function isCommonJs(url: string): string | undefined {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url.startsWith('/') ? url : undefined;
  if (path && require.cache[path]) return path;
  return undefined;
}

export interface ExportRef {
  kind: 'esm' | 'cjs';
  url: string;
  name: string;
}

/**
 * The namespaces of the package's entry points, by path from the package's top ('index',
 * 'managers/types', …): registered as the build's chunks load through any public entry point
 * (see docs/design.md). Empty when the package runs from its separate modules, or in a child
 * that loaded only the package's core.
 */
const ownEntries = new Map<string, Record<string, unknown>>();

export function registerOwnEntries(entries: Record<string, Record<string, unknown>>): void {
  for (const [path, namespace] of Object.entries(entries)) ownEntries.set(path, namespace);
}

/** Where the build's chunks are (this module is in one of them). */
const ownChunks = new URL('./', import.meta.url).href;

/**
 * A function of the package itself, when it runs from the build's chunks (as this code does):
 * the entry point that exports it. (Reading the chunk's exports would mean parsing the whole
 * package, and the chunk does not export what only its own code uses.)
 */
function ownExport(fn: Function): ExportRef | undefined {
  for (const [path, namespace] of ownEntries) {
    for (const [name, value] of Object.entries(namespace)) {
      if (value === fn) return { kind: 'esm', url: new URL(`../${path}.js`, import.meta.url).href, name };
    }
  }
  return undefined;
}

/** How `fn` can be imported by another process, or undefined if it is not exported. */
export function findExport(fn: Function, location: FunctionLocation): ExportRef | undefined {
  if (location.url.startsWith(ownChunks)) {
    const own = ownExport(fn);
    if (own) return own;
  }
  const cjsPath = isCommonJs(location.url);
  if (cjsPath) {
    const exports = require.cache[cjsPath]!.exports as unknown;
    if (exports === fn) return { kind: 'cjs', url: cjsPath, name: '' };
    if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) {
      for (const [name, value] of Object.entries(exports as object)) {
        if (value === fn) return { kind: 'cjs', url: cjsPath, name };
      }
    }
    return undefined;
  }
  if (!tables.has(location.scriptId)) {
    let source = sources.get(location.scriptId);
    if (source === undefined) {
      source = scriptSource(location.scriptId);
      sources.set(location.scriptId, source);
    }
    const quick = declaredExport(source, location);
    if (quick) return { kind: 'esm', url: location.url, name: quick };
  }
  const table = tableFor(location);
  if (!table) return undefined;
  const offset = (table.lineStarts[location.line] ?? 0) + location.column;
  const found = table.definitions.get(offset);
  if (!found) return undefined;
  if (found.defaultExport && found.local === null) return { kind: 'esm', url: location.url, name: 'default' };
  if (found.local === null) return undefined;
  const names = table.exports.get(found.local);
  if (!names || names.length === 0) return undefined;
  return { kind: 'esm', url: location.url, name: names[0]! };
}
