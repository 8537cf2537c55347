// Builds the package: TypeScript to dist/ (ESM + declarations), then esbuild joins the modules
// into one file per entry point and a few shared chunks (dist/chunks/), then one tiny
// CommonJS entry per public entry point that require()s the ESM build, so both module systems
// share one copy of the package's state (no dual-package hazard).
//
// Why the join: a child process or thread imports the package before it runs anything, and
// Node's ESM loader costs about half a millisecond per module (resolving, reading, linking):
// sixty modules took 40 ms of every Process start, three files take half that. Every module
// that some process loads by its URL at run time (the entry points, a child's bootstrap, the
// pool's worker loop, the modules that register a shared object's decoder) stays an entry
// point, so it is the same module instance as the one the package's other code imports.
//
// The build goes to a fresh directory that replaces dist/ at the end, so programs running
// from dist/ meanwhile (tests, benchmarks) never see it half-written.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const root = new URL('..', import.meta.url);
const compiled = new URL('dist.compiled/', root);
const fresh = new URL('dist.building/', root);
const old = new URL('dist.old/', root);
rmSync(compiled, { recursive: true, force: true });
rmSync(fresh, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', 'dist.compiled'],
  { cwd: root, stdio: 'inherit' },
);
const entries = ['index', 'futures', 'connection', 'managers', 'shared-memory', 'sched'];
/**
 * Loaded by URL at run time: the targets of pool workers and managers, and the classes a
 * SyncManager registers (sent to its process by reference, found through the entry point that
 * exports them: see below).
 */
const targets = ['pool/worker', 'managers/server', 'managers/types'];
/** Also loaded by URL, and run as they load: the CLI and a child's bootstrap. */
const scripts = ['cli/main', 'process/bootstrap'];
const named = [...entries, ...targets];
// Every entry point imports every module (the package's whole code, without running anything):
// then each module is reached from every entry, and esbuild puts them all in one shared chunk,
// instead of a chunk for each combination of entry points that reaches a module. The same
// module tells the package's code the namespaces of the entry points: a function of the
// package sent by reference is named by the entry point that exports it (serialize/exports.ts).
writeFileSync(
  new URL('everything.js', compiled),
  [
    "import './process/child.js';",
    "import './managers/manager.js';",
    ...named.map((entry, i) => `import * as entry${i} from './${entry}.js';`),
    "import { registerOwnEntries } from './serialize/exports.js';",
    `registerOwnEntries({ ${named.map((entry, i) => `'${entry}': entry${i}`).join(', ')} });`,
    '',
  ].join('\n'),
);
// Except what a child runs: its bootstrap and the pool's worker loop import only the core, the
// modules of a child and of pools and executors (`core.js`). A child whose tasks come from a
// module that does not import the package never loads the rest (managers, connections, shared
// ctypes, the synchronization classes, the scheduler…). The shared code is two chunks, and the
// paths a pool runs per task stay inside one: an import from another chunk is a module
// variable, which unoptimized code reads more slowly than a binding of its own chunk.
writeFileSync(
  new URL('core.js', compiled),
  ["import './process/child.js';", "import './pool/pool.js';", "import './futures/executor.js';", ''].join('\n'),
);
const childSide = new Set(['process/bootstrap', 'pool/worker']);
for (const entry of [...named, ...scripts]) {
  const file = new URL(`${entry}.js`, compiled);
  const depth = entry.split('/').length - 1;
  const source = readFileSync(file, 'utf8');
  const shebang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
  const first = childSide.has(entry) ? 'core.js' : 'everything.js';
  writeFileSync(
    file,
    `${shebang}import '${depth ? '../'.repeat(depth) : './'}${first}';\n${source.slice(shebang.length)}`,
  );
}
esbuild.buildSync({
  entryPoints: [...named, ...scripts].map((entry) => fileURLToPath(new URL(`${entry}.js`, compiled))),
  outbase: fileURLToPath(compiled),
  outdir: fileURLToPath(fresh),
  // One level deep, as the modules were: paths relative to a module ('../pool/worker.js',
  // '../../build/Release/…') hold from a chunk too.
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  external: ['*.node'],
  sourcemap: true,
  // Whitespace and syntax only (names stay, for stack traces and class names). Every process
  // and thread that imports the package keeps its source text: 345 KB became 243 KB. An idle
  // ThreadPool worker measured 1.3-1.4 MiB less (the whitespace does it; a worker process
  // did not change). Positions in a bundle were never the source's: the source maps give them
  // (node --enable-source-maps).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// V8 keeps a module's source text in memory as long as the module lives, with one byte per
// character only if every character is Latin-1: else two bytes per character. esbuild escapes
// the strings, but a "…" or "µ" in a comment it keeps made the 340 KB chunk take 680 KB in every
// process that imports the package (0.3 MiB of each idle worker's RSS). In a comment an escape
// is just text, and esbuild writes no other non-ASCII character.
for (const file of readdirSync(fresh, { recursive: true })) {
  if (!file.endsWith('.js')) continue;
  const path = new URL(file, fresh);
  const source = readFileSync(path, 'utf8');
  const ascii = source.replace(/[^\p{ASCII}]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
  if (ascii !== source) writeFileSync(path, ascii);
}
// The declarations, as tsc wrote them.
cpSync(compiled, fresh, {
  recursive: true,
  filter: (source) => !/\.js(\.map)?$/.test(source) || statSync(source).isDirectory(),
});
rmSync(compiled, { recursive: true, force: true });
mkdirSync(new URL('cjs', fresh), { recursive: true });
for (const entry of entries) {
  writeFileSync(new URL(`cjs/${entry}.cjs`, fresh), `'use strict';\nmodule.exports = require('../${entry}.js');\n`);
}
rmSync(old, { recursive: true, force: true });
try {
  renameSync(new URL('dist', root), old);
} catch {
  // first build
}
renameSync(fresh, new URL('dist', root));
rmSync(old, { recursive: true, force: true });
