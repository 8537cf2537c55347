// Builds the package: TypeScript to dist/ (ESM + declarations), then one tiny
// CommonJS entry per public entry point that require()s the ESM build, so both
// module systems share one copy of the package's state (no dual-package hazard).
// The build goes to a fresh directory that replaces dist/ at the end, so programs running
// from dist/ meanwhile (tests, benchmarks) never see it half-written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);
const fresh = new URL('dist.building/', root);
const old = new URL('dist.old/', root);
rmSync(fresh, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', 'dist.building'],
  { cwd: root, stdio: 'inherit' },
);
const entries = ['index', 'futures', 'connection', 'managers', 'shared-memory', 'sched'];
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
