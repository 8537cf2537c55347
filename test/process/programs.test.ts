// Whole programs: how children behave when their parent ends, the bootstrapping guard,
// import failures in the child, and programs run by the tsx CLI.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childPids, createBoard } from '../helpers.ts';

const programs = fileURLToPath(new URL('../fixtures/process/programs/', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function run(file: string, args: string[] = [], nodeFlags: string[] = []) {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(
    process.execPath,
    [...nodeFlags, ...process.execArgv.filter((a) => !a.startsWith('--test')), programs + file, ...args],
    {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    },
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function waitUntil(what: string, predicate: () => boolean, timeout: number): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeout) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

after(() => assert.deepEqual(childPids(), []));

test('programs: a daemon dies with its SIGKILLed parent; a non-daemonic child runs on and finishes', async () => {
  const board = createBoard(8);
  try {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const program = spawn(
      process.execPath,
      [...process.execArgv.filter((a) => !a.startsWith('--test')), `${programs}daemon-and-orphan.ts`, board.name],
      { stdio: 'inherit', env },
    );
    await board.waitFor(0, 1, 30_000);
    await board.waitFor(2, 1, 30_000);
    const daemonPid = board.get(5);
    const orphanPid = board.get(6);
    assert.ok(alive(daemonPid) && alive(orphanPid));
    program.kill('SIGKILL');
    const took = await waitUntil('daemon ends after its parent is killed', () => !alive(daemonPid), 1000);
    assert.ok(took <= 1000);
    assert.ok(alive(orphanPid), 'the non-daemonic child must survive its parent');
    const { setSlot } = await import('../fixtures/process/board.ts');
    setSlot(board.name, 1, 1);
    await board.waitFor(2, 2, 30_000);
    await waitUntil('the orphan exits after finishing', () => !alive(orphanPid), 10_000);
  } finally {
    board.close();
  }
});

test('programs: daemonic children are ended when the program exits normally', async () => {
  const board = createBoard(8);
  try {
    const result = run('daemon-exit.ts', [board.name]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /main done/);
    const daemonPid = board.get(5);
    assert.ok(daemonPid > 0);
    await waitUntil('daemon ends after a normal exit', () => !alive(daemonPid), 5000);
  } finally {
    board.close();
  }
});

test('programs: starting a process from unguarded top-level code fails in the child with the fix', () => {
  const result = run('unguarded.ts');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /exitcode 1/);
  assert.match(result.stderr, /bootstrapping phase/);
  assert.match(result.stderr, /isMainProcess\(\)/);
  assert.doesNotMatch(result.stdout, /hello from the child/);
});

for (const context of ['spawn', 'thread']) {
  test(`programs: a module that fails to import in the child gives exit code 1 and the error (${context})`, () => {
    const result = run('failing-import.ts', [context]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /exitcode 1/);
    assert.match(result.stderr, /refuses to load in a child/);
  });
}

test('programs: V8 and per-process Node flags, which Worker refuses in execArgv, do not stop thread workers', () => {
  // Before the fix: ERR_WORKER_INVALID_EXEC_ARGV from every thread start.
  const result = run('node-flags.ts', [], ['--expose-gc', '--max-old-space-size=512', '--title', 'mp-flags-test']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /thread process: gc is a function/);
  assert.match(result.stdout, /spawn process: gc is a function/);
  assert.match(result.stdout, /thread pool: 42, gc is a function/);
  assert.match(result.stdout, /exitcodes 0 0/);
});

for (const where of ['the project', 'a directory with no tsx in reach']) {
  test(`programs: a TypeScript program run by the tsx CLI runs its children under tsx (from ${where})`, () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    // From elsewhere (a global or npx tsx), the thread found no tsx/esm/api to register.
    const cwd = where === 'the project' ? process.cwd() : tmpdir();
    const result = spawnSync(process.execPath, [tsxCli, `${programs}tsx-program.ts`], {
      cwd,
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ts-spawn says spawn!spawn!/);
    assert.match(result.stdout, /ts-spawn exitcode 0/);
    assert.match(result.stdout, /ts-thread says thread!thread!/);
    assert.match(result.stdout, /ts-thread exitcode 0/);
  });
}

test('programs: a `node -e` script can start processes; its children run the bootstrap, not the script again', () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  // Before the fix, each child re-ran the -e script and started two more: a fork bomb.
  const script = `import('multiprocessing').then(async ({ Pool, Process }) => {
    const p = new Process({ target: (x) => console.log('child got', x), args: [7] });
    p.start();
    await p.join();
    const pool = new Pool(2);
    console.log('pool says', await pool.apply((x) => x * 2, [21]));
    await pool.terminate();
  });`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.match(/child got 7/g)?.length, 1);
  assert.equal(result.stdout.match(/pool says 42/g)?.length, 1);
});

test("a program's authkey is 32 random bytes, made without loading node:crypto", () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const script = `import { currentProcess } from 'multiprocessing';
    const key = currentProcess().authkey;
    console.log(key.length, Buffer.from(key).toString('hex'), process.moduleLoadList.includes('NativeModule crypto'));`;
  const keys = [0, 1].map(() => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const [length, hex, crypto] = result.stdout.trim().split(' ');
    assert.equal(length, '32');
    assert.equal(crypto, 'false', 'node:crypto was loaded to make the authkey');
    assert.notEqual(hex, '00'.repeat(32));
    return hex;
  });
  assert.notEqual(keys[0], keys[1]);
});
