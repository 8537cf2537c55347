// How a Process becomes a running child: 'spawn' forks a Node.js process running our
// bootstrap, 'thread' starts a worker_threads Worker running the same bootstrap. Both
// return one small handle so Process does not care which it got.
//
//   parent                                  child (bootstrap.ts)
//   Process.start() ── fork/Worker ──────▶  receives {header, body}
//        │   header: name, identity,         sets its process state, imports the
//        │   daemon, authkey, parent          target's module, deserializes body,
//        │   body: serialized target/args     runs, joins its children, exits
//        ◀──────────── exit code / signal ───┘
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { TRACKER_FD_ENV, trackerEnv, trackerFd } from '../shm/tracker.js';
import { pidExited } from '../util/pid.js';
import { threadEnded, threadStarted, threadTable } from './threads.js';

export interface ChildHeader {
  name: string;
  identity: number[];
  daemon: boolean;
  authkey: Uint8Array;
  parent: { pid: number; name: string; threadId?: number };
  startMethod: string | undefined;
  /** Module to import while bootstrapping (the module that defines the target). */
  mainUrl: string | undefined;
}

export interface ChildMessage {
  header: ChildHeader;
  body: Uint8Array;
}

export interface ExitStatus {
  /** Python's exitcode: n for exit(n), -N for signal N. */
  exitcode: number;
}

export interface Launched {
  readonly pid: number;
  readonly ident: number;
  readonly exited: Promise<ExitStatus>;
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Whether this child keeps the parent's event loop alive (daemons don't, except while joined). */
  ref(on: boolean): void;
}

const here = import.meta.url;
const require = createRequire(here);
const { readFileSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")
// (from the package's top: the build moves this code into a shared chunk, one level deep too)
const bootstrapUrl = new URL(here.endsWith('.ts') ? '../process/bootstrap.ts' : '../process/bootstrap.js', here);

/** Flags that name what the process runs (a child runs the bootstrap instead); true: takes a value. */
const ENTRY_FLAGS = new Map([
  ['-e', true],
  ['--eval', true],
  ['-p', true],
  ['-pe', true],
  ['--print', true],
  ['-i', false],
  ['--interactive', false],
  ['-c', false],
  ['--check', false],
  ['--watch', false],
  ['--watch-path', true],
  ['--watch-preserve-output', false],
  ['--input-type', true],
]);

/**
 * The parent's Node flags minus those that would make the child run something else: the
 * test runner's, the inspector's, and the entry flags. A child of `node -e "…"` must run the
 * bootstrap, not the -e script again (which would start the same children, for ever).
 */
export function childExecArgv(): string[] {
  const args: string[] = [];
  const flags = process.execArgv;
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg;
    if (ENTRY_FLAGS.has(name)) {
      if (ENTRY_FLAGS.get(name) && !arg.includes('=')) i++; // skip its value
      continue;
    }
    if (/^--test(\b|-)/.test(arg) || /^--(inspect|debug)/.test(arg)) continue;
    args.push(arg);
  }
  return args;
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

const TRACKER_CHILD_FD = 4; // stdio slot: 0 stdin, 1 stdout, 2 stderr, 3 ipc, 4 tracker

/** Environment variable that carries the start message when it is small enough. */
export const START_MESSAGE_ENV = 'MP_START_MESSAGE';
// One environment string may hold 128 KiB on Linux; stay well below.
const ENV_MESSAGE_LIMIT = 96 * 1024;

export function launchSpawn(message: ChildMessage): Launched {
  const tracker = trackerFd();
  const env = childEnv();
  env[TRACKER_FD_ENV] = trackerEnv(TRACKER_CHILD_FD);
  // The start message goes in the environment, so it is delivered by the time start()
  // returns (a parent may exit right after); only a large one goes over the IPC channel.
  const encoded = v8.serialize(message).toString('base64');
  const inEnv = encoded.length <= ENV_MESSAGE_LIMIT;
  if (inEnv) env[START_MESSAGE_ENV] = encoded;
  // (child_process loaded here, on the first start: a child that starts none never loads it)
  const { fork } = require('node:child_process') as typeof import('node:child_process');
  const child: ChildProcess = fork(fileURLToPath(bootstrapUrl), [], {
    execArgv: childExecArgv(),
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', tracker],
    serialization: 'advanced',
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) pidExited(child.pid); // (not believed alive any longer: see pidAlive)
      resolve({ exitcode: code ?? -(signal ? constants.signals[signal] : 0) });
    });
  });
  child.once('error', () => {
    // fork failures surface as an exit; nothing else to do here
  });
  if (!inEnv) child.send(message);
  return {
    pid: child.pid ?? -1,
    ident: child.pid ?? -1,
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
    ref: (on) => {
      if (on) child.ref();
      else {
        child.unref();
        child.channel?.unref();
      }
    },
  };
}

/**
 * If this program runs under tsx (whose hooks Node 20 does not apply inside workers): the URL
 * of tsx's API for a worker to register. Looked for beside the tsx that runs this process (the
 * CLI names its files in execArgv), then from the working directory and from this package, so
 * that a global or npx tsx works from any directory. Remembered in the environment, because a
 * worker's own execArgv no longer shows it.
 */
function tsxApi(): string | undefined {
  const known = process.env.MP_LOADER_TSX;
  if (known) return known;
  const flags = process.execArgv.filter((arg) => arg.includes('tsx'));
  if (flags.length === 0 && !bootstrapUrl.pathname.endsWith('.ts')) return undefined;
  const files = flags.filter((arg) => arg.startsWith('/') || arg.startsWith('file:'));
  const bases = [
    ...files.map((arg) => (arg.startsWith('file:') ? fileURLToPath(arg) : arg)),
    `${process.cwd()}/`,
    here,
  ];
  let api = 'tsx/esm/api'; // not found: the worker's import fails with Node's message
  for (const base of bases) {
    try {
      api = tsxApiFrom(base);
      break;
    } catch {
      // not from there
    }
  }
  process.env.MP_LOADER_TSX = api;
  return api;
}

/** The ES module entry of `tsx/esm/api` as seen from `base` (require.resolve would give the CommonJS one). */
function tsxApiFrom(base: string): string {
  const manifest = createRequire(base).resolve('tsx/package.json');
  const entry = JSON.parse(readFileSync(manifest, 'utf8')).exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  if (typeof file !== 'string') throw new Error(`${manifest} names no ES module entry for tsx/esm/api`);
  return pathToFileURL(join(dirname(manifest), file)).href;
}

/** Drops tsx's `--import`/`--require`/`--loader` flags (with their values); the shim registers it instead. */
function withoutTsx(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (/^--(import|require|loader|experimental-loader)$/.test(arg) && args[i + 1]?.includes('tsx')) {
      i++;
    } else if (!arg.includes('tsx')) {
      out.push(arg);
    }
  }
  return out;
}

// Runs in the worker (CommonJS eval): registers tsx if the parent used it, then loads the
// bootstrap as an ES module.
const WORKER_SHIM = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.bootstrap);
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * Flags of this program that `new Worker` refuses in `execArgv`: V8's (`--max-old-space-size`,
 * `--expose-gc`) and the per-process ones (`--title`). They already apply to every thread of
 * the process, so a worker leaves them out. Learned from the first refusal, kept for the rest.
 */
const processWideFlags = new Set<string>();

function threadExecArgv(): string[] {
  const args = withoutTsx(childExecArgv());
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!processWideFlags.has(arg)) out.push(arg);
    else if (!arg.includes('=') && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) i++; // its value
  }
  return out;
}

/** The flags named by ERR_WORKER_INVALID_EXEC_ARGV ("…invalid execArgv flags: --a, --b"). */
function refusedFlags(error: unknown): string[] {
  if ((error as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return [];
  const message = String((error as Error).message);
  const at = message.lastIndexOf(': ');
  return at < 0
    ? []
    : message
        .slice(at + 2)
        .split(', ')
        .filter((flag) => flag.startsWith('-'));
}

function newWorker(options: Omit<WorkerOptions, 'execArgv'>): Worker {
  for (;;) {
    const execArgv = threadExecArgv();
    try {
      return new Worker(WORKER_SHIM, { ...options, execArgv });
    } catch (error) {
      const refused = refusedFlags(error).filter((flag) => execArgv.includes(flag));
      if (refused.length === 0) throw error;
      for (const flag of refused) processWideFlags.add(flag);
    }
  }
}

export function launchThread(message: ChildMessage): Launched {
  trackerFd();
  const tsx = tsxApi();
  const worker = newWorker({
    eval: true,
    workerData: { ...message, bootstrap: bootstrapUrl.href, tsx, threadTable: threadTable() },
    env: childEnv(),
  });
  const id = worker.threadId; // (-1 once it has exited)
  threadStarted(id);
  let forced: number | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    worker.once('exit', (code) => {
      threadEnded(id); // (a lock it held can be recovered now)
      resolve({ exitcode: forced ?? code });
    });
  });
  worker.once('error', (error) => {
    // An error escaping the bootstrap: print it as the child would, exit code 1 follows.
    console.error(error);
  });
  return {
    pid: process.pid,
    ident: id,
    exited,
    signal: (signal) => {
      forced ??= signal === 'SIGKILL' ? -constants.signals.SIGKILL : -constants.signals.SIGTERM;
      void worker.terminate();
    },
    ref: (on) => (on ? worker.ref() : worker.unref()),
  };
}
