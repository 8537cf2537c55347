// Runs the whole suite with Node's test runner (TypeScript through tsx), at most two files at
// a time (the machines have two cores), then checks that nothing of ours was left behind:
// no shared-memory segment in /dev/shm and no process started by the suite.
// Usage: node scripts/run-tests.mjs [file-or-folder ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const targets = process.argv.slice(2);

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'fixtures' || entry === 'node_modules') continue;
      collect(join(path, entry), out);
    }
  } else if (/\.test\.(ts|mts|js|mjs)$/.test(path)) {
    out.push(relative(root, path));
  }
  return out;
}

const files = (targets.length ? targets : ['test']).flatMap((t) => collect(join(root, t), []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const ourSegments = () => readdirSync('/dev/shm').filter((name) => name.startsWith('mp-'));
const before = new Set(ourSegments());
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit', env },
);
let failed = result.status !== 0;
// Segments created by children are removed by the trees' trackers as the trees end: give
// them a moment (they are `awk` processes finishing up) before calling anything a leak.
let leaked = ourSegments().filter((name) => !before.has(name));
for (let waited = 0; leaked.length > 0 && waited < 3000; waited += 100) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  leaked = ourSegments().filter((name) => !before.has(name));
}
if (leaked.length) {
  console.error(`leak check: ${leaked.length} shared-memory segment(s) left in /dev/shm: ${leaked.join(', ')}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
