// Builds the package: TypeScript to dist/ (ESM + declarations), then one tiny
// CommonJS entry per public entry point that require()s the ESM build, so both
// module systems share one copy of the package's state (no dual-package hazard).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
const entries = ['index', 'futures', 'connection', 'managers', 'shared-memory', 'sched'];
mkdirSync(new URL('dist/cjs', root), { recursive: true });
for (const entry of entries) {
  writeFileSync(new URL(`dist/cjs/${entry}.cjs`, root), `'use strict';\nmodule.exports = require('../${entry}.js');\n`);
}
