// The package as a user installs it: every public entry point loads, from ESM and from
// CommonJS, and both module systems share one copy of the package's state.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const entries = [
  'multiprocessing',
  'multiprocessing/futures',
  'multiprocessing/connection',
  'multiprocessing/managers',
  'multiprocessing/shared-memory',
];

test('package: every entry point imports from ESM', async () => {
  for (const entry of entries) {
    const module = await import(entry);
    assert.equal(typeof module, 'object', entry);
  }
  const mp = await import('multiprocessing');
  for (const name of [
    'Process',
    'Lock',
    'RLock',
    'Semaphore',
    'BoundedSemaphore',
    'Event',
    'Condition',
    'Barrier',
    'Value',
    'Array',
    'RawValue',
    'RawArray',
    'taskRef',
    'cpuCount',
    'currentProcess',
    'parentProcess',
    'activeChildren',
    'isMainProcess',
    'getStartMethod',
    'setStartMethod',
    'getAllStartMethods',
    'getContext',
    'ProcessError',
    'TimeoutError',
    'AuthenticationError',
    'BufferTooShort',
    'SerializationError',
    'Full',
    'Empty',
    'EOFError',
    'BrokenBarrierError',
    'RemoteError',
  ]) {
    assert.ok(name in mp, `multiprocessing exports ${name}`);
  }
  assert.deepEqual(mp.getAllStartMethods(), ['spawn', 'thread']);
  assert.equal(mp.getStartMethod(), 'spawn');
  assert.ok(mp.cpuCount() >= 1);
});

test('package: the built modules are ASCII, so V8 keeps their source one byte per character', () => {
  const dist = new URL('../../dist/', import.meta.url);
  const modules = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  assert.ok(
    modules.some((file) => file.startsWith('chunks/')),
    'dist/ holds the shared chunk',
  );
  for (const file of modules) {
    const offending = readFileSync(new URL(file, dist), 'utf8').match(/[^\p{ASCII}]/u);
    assert.equal(offending, null, `dist/${file} holds ${JSON.stringify(offending?.[0])}`);
  }
});

/** The package's files `entry` loads as it is imported: its static imports, followed. */
function staticGraph(entry: URL): Set<string> {
  const seen = new Set<string>();
  const pending = [entry.href];
  while (pending.length > 0) {
    const url = pending.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const source = readFileSync(new URL(url), 'utf8');
    // static imports and re-exports only: `import("…")` loads on demand
    for (const match of source.matchAll(
      /(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["'](\.[^"']+)["']/g,
    )) {
      pending.push(new URL(match[1]!, url).href);
    }
  }
  return seen;
}

test("package: a child's bootstrap and the pool's worker loop load only the package's core", () => {
  const dist = new URL('../../dist/', import.meta.url);
  for (const entry of ['process/bootstrap.js', 'pool/worker.js']) {
    const files = staticGraph(new URL(entry, dist));
    assert.ok(
      [...files].some((file) => file.includes('/chunks/')),
      `${entry} imports a shared chunk`,
    );
    const sources = [...files].flatMap(
      (file) => (JSON.parse(readFileSync(new URL(`${file}.map`), 'utf8')) as { sources: string[] }).sources,
    );
    assert.ok(
      sources.some((source) => source.endsWith('src/process/child.ts')),
      `${entry} loads the child's code`,
    );
    const rest = sources.filter((source) =>
      /src\/(managers|sched|connection|sharedctypes|cli|shared-memory)\/|src\/sync\/(?!semlock)/.test(source),
    );
    assert.deepEqual(rest, [], `${entry} loads no more than a child needs`);
    // An import of these builtins evaluates all their lazy exports (MIMEType, parseArgs, the fs
    // streams, File…): the package gets them from process.getBuiltinModule.
    for (const file of files) {
      const imported = readFileSync(new URL(file), 'utf8').match(/from\s*["']node:(util|fs|buffer)["']/);
      assert.equal(imported, null, `${file} imports ${imported?.[0]}`);
    }
  }
});

test('package: require() from CommonJS gets the same package', () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const result = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../fixtures/package/require.cjs', import.meta.url))],
    { encoding: 'utf8', env },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'function function MainProcess\nfunction\n');
});

test('start methods: set once, { force: true } to change, unknown names rejected', async () => {
  const mp = await import('multiprocessing');
  mp.setStartMethod('spawn');
  assert.throws(() => mp.setStartMethod('thread'), mp.ProcessError);
  // Python's set_start_method('thread', True): positional force is refused, not ignored.
  assert.throws(() => mp.setStartMethod('thread', true as never), /takes an options object such as \{ force: true \}/);
  mp.setStartMethod('thread', { force: true });
  assert.equal(mp.getStartMethod(), 'thread');
  assert.equal(mp.getContext().getStartMethod(), 'thread');
  mp.setStartMethod('spawn', { force: true });
  assert.throws(() => mp.setStartMethod('fork' as never, { force: true }), TypeError);
  assert.throws(() => mp.getContext('forkserver' as never), TypeError);
});

test('package: the demo (npm start) runs and ends cleanly', () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  const result = spawnSync(process.execPath, [main, 'demo'], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /counter\.value = 200000 \(nothing lost\)/);
  assert.match(result.stdout, /exitcode -15/);
  assert.match(result.stdout, /same total: true/);
  assert.match(
    result.stdout,
    /a worker killed mid-task: "the pool worker PoolWorker-\d+ \(pid \d+\) was killed by signal 9/,
  );
  assert.match(result.stdout, /results: 1229, 2262, 3245/);
  assert.match(result.stdout, /a worker killed: BrokenProcessPool/);
  assert.match(result.stdout, /J4====/);
  const help = spawnSync(process.execPath, [main, 'nonsense'], { encoding: 'utf8', env });
  assert.equal(help.status, 2);
  assert.match(help.stderr, /unknown command 'nonsense'/);
});
