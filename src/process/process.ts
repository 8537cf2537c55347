// `Process`: Python's multiprocessing.Process on Node. The object a program creates
// describes a child; start() launches it (launch.ts), and in the child the bootstrap
// rebuilds the same object (same class, same own fields) and calls its run().
// Internal state lives under a non-enumerable symbol so that a subclass's own fields are
// exactly what travels to the child.
import { constants } from 'node:os';
import { isMainThread, threadId } from 'node:worker_threads';
import { ProcessError } from '../errors.js';
import { collectTransfers, exportNameOf, functionModuleUrl, serialize } from '../serialize/index.js';
import { Timer, validateTimeout } from '../util/deadline.js';
import { pidAlive } from '../util/pid.js';
import { type ChildMessage, type Launched, launchSpawn, launchThread } from './launch.js';
import { getStartMethod, type StartMethod, type StartMethodOrContext, validateStartMethod } from './start-method.js';
import { processState } from './state.js';

export interface ProcessOptions {
  target?: ((...args: any[]) => unknown) | undefined;
  args?: unknown[] | undefined;
  name?: string | undefined;
  daemon?: boolean | undefined;
  context?: StartMethodOrContext | undefined;
}

/** Internal state of a Process object. */
interface Internal {
  target: ((...args: any[]) => unknown) | undefined;
  args: unknown[];
  context: StartMethod | undefined;
  name: string;
  daemon: boolean;
  authkey: Uint8Array;
  identity: number[];
  /** 'child': a child of this thread; 'self': the running process; 'parent': our parent. */
  role: 'child' | 'self' | 'parent';
  launched: Launched | undefined;
  pid: number | undefined;
  ident: number | undefined;
  exitcode: number | null;
  closed: boolean;
  sentinel: Promise<void>;
  markExited: () => void;
}

export const kInternal = Symbol('multiprocessing.Process');

const BOOTSTRAP_ERROR =
  'An attempt has been made to start a new process before the current process has finished its ' +
  'bootstrapping phase. This probably means that a module imported by the child (the one that defines ' +
  'the target) starts processes from its top-level code. Guard that code so it runs only in the main ' +
  'program:\n\n    if (isMainProcess()) {\n        const p = new Process({ target: f });\n        p.start();\n    }\n';

function newInternal(role: Internal['role']): Internal {
  let markExited!: () => void;
  const sentinel = new Promise<void>((resolve) => {
    markExited = resolve;
  });
  const state = processState();
  return {
    target: undefined,
    args: [],
    context: undefined,
    name: '',
    daemon: state.daemon,
    authkey: state.authkey,
    identity: [],
    role,
    launched: undefined,
    pid: undefined,
    ident: undefined,
    exitcode: null,
    closed: false,
    sentinel,
    markExited,
  };
}

let exitHookInstalled = false;

/** At exit, end the daemonic children still running, as Python's atexit handler does. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of processState().children) {
      const internal = (child as Process)[kInternal];
      if (internal.daemon && internal.exitcode === null) internal.launched?.signal('SIGTERM');
    }
  });
}

export class Process {
  declare [kInternal]: Internal;

  constructor(options: ProcessOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('Process options must be an object such as { target, args, name, daemon }');
    }
    const { target, args = [], name, daemon, context } = options;
    if ('kwargs' in options) {
      throw new TypeError(
        "Process has no kwargs option (Python's kwargs=): pass an object in args, e.g. { target, args: [{ key: 1 }] }",
      );
    }
    if (target !== undefined && typeof target !== 'function') {
      throw new TypeError(
        `Process target must be a function (or a taskRef), got ${target === null ? 'null' : typeof target}`,
      );
    }
    if (!Array.isArray(args)) throw new TypeError(`Process args must be an array, got ${typeof args}`);
    if (name !== undefined && typeof name !== 'string') throw new TypeError('Process name must be a string');
    if (daemon !== undefined && typeof daemon !== 'boolean') throw new TypeError('Process daemon must be a boolean');
    const state = processState();
    const internal = newInternal('child');
    internal.target = target;
    internal.args = [...args];
    internal.context = context === undefined ? undefined : validateStartMethod(context, 'Process context');
    internal.identity = [...state.identity, ++state.childCounter];
    internal.name = name ?? `Process-${internal.identity.join(':')}`;
    if (daemon !== undefined) internal.daemon = daemon;
    Object.defineProperty(this, kInternal, { value: internal, enumerable: false, writable: true });
  }

  /** The process's activity: calls target(...args). Subclasses override it. */
  run(): unknown {
    const { target, args } = this[kInternal];
    return target?.(...args);
  }

  start(): void {
    const internal = this[kInternal];
    const state = processState();
    if (internal.closed)
      throw new ProcessError('this Process object is closed; create a new one to start another process');
    if (internal.role !== 'child' || internal.launched) {
      throw new ProcessError(`cannot start a process twice (${internal.name} was already started)`);
    }
    if (state.bootstrapping) throw new ProcessError(BOOTSTRAP_ERROR);
    if (state.daemon) throw new ProcessError('daemonic processes are not allowed to have children');
    const method = internal.context ?? getStartMethod();
    const { result: message, transfers } = collectTransfers(() => childMessage(this, method));
    installExitHook();
    const launched = method === 'spawn' ? launchSpawn(message) : launchThread(message);
    internal.launched = launched;
    for (const transfer of transfers) transfer(launched.pid);
    internal.pid = launched.pid;
    internal.ident = launched.ident;
    if (internal.daemon) launched.ref(false);
    state.children.add(this);
    void launched.exited.then(({ exitcode }) => {
      internal.exitcode = exitcode;
      internal.markExited();
    });
  }

  /** Resolves when the process has ended, or when `timeout` ms have passed. */
  async join(timeout?: number): Promise<void> {
    const internal = this[kInternal];
    if (internal.closed) throw new ProcessError('this Process object is closed');
    if (internal.role === 'self') throw new ProcessError('a process cannot join itself');
    if (internal.role === 'child' && !internal.launched) {
      throw new ProcessError(`can only join a started process; call start() on ${internal.name} first`);
    }
    if (timeout !== undefined) validateTimeout(timeout);
    if (internal.exitcode === null) {
      // An explicit join keeps the program alive, even for a daemon (which otherwise doesn't).
      internal.launched?.ref(true);
      try {
        if (timeout === undefined) {
          await internal.sentinel;
        } else {
          let timer: Timer | undefined;
          await Promise.race([
            internal.sentinel,
            new Promise<void>((resolve) => {
              timer = new Timer(resolve, timeout);
            }),
          ]);
          timer?.clear();
        }
      } finally {
        if (internal.daemon) internal.launched?.ref(false);
      }
    }
    if (internal.exitcode !== null) processState().children.delete(this);
  }

  isAlive(): boolean {
    const internal = this[kInternal];
    if (internal.closed) throw new ProcessError('this Process object is closed');
    if (internal.role === 'self') return true;
    if (internal.role === 'parent') return internal.pid !== undefined && pidAlive(internal.pid);
    return internal.launched !== undefined && internal.exitcode === null;
  }

  /** Ends the process with SIGTERM (a thread: stops the worker). */
  terminate(): void {
    signalProcess(this, 'SIGTERM');
  }

  /** Ends the process with SIGKILL. */
  kill(): void {
    signalProcess(this, 'SIGKILL');
  }

  /** Releases the object's resources; throws if the process is still running. */
  close(): void {
    const internal = this[kInternal];
    if (internal.closed) return;
    if (internal.role === 'child' && internal.launched && internal.exitcode === null) {
      throw new ProcessError(
        `cannot close ${internal.name} while it is still running; call join() or terminate() first`,
      );
    }
    internal.closed = true;
    internal.launched = undefined;
    processState().children.delete(this);
  }

  get pid(): number | undefined {
    return openInternal(this).pid;
  }

  get ident(): number | undefined {
    return openInternal(this).ident;
  }

  get exitcode(): number | null {
    return openInternal(this).exitcode;
  }

  get sentinel(): Promise<void> {
    return openInternal(this).sentinel;
  }

  get name(): string {
    return this[kInternal].name;
  }

  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError('Process name must be a string');
    this[kInternal].name = value;
  }

  get daemon(): boolean {
    return this[kInternal].daemon;
  }

  set daemon(value: boolean) {
    const internal = this[kInternal];
    if (typeof value !== 'boolean') throw new TypeError('Process daemon must be a boolean');
    if (internal.launched || internal.role !== 'child') {
      throw new ProcessError('the daemon flag cannot be changed once the process has started');
    }
    internal.daemon = value;
  }

  get authkey(): Uint8Array {
    return this[kInternal].authkey;
  }

  set authkey(value: Uint8Array) {
    if (!(value instanceof Uint8Array)) throw new TypeError('authkey must be a Uint8Array');
    this[kInternal].authkey = new Uint8Array(value);
  }

  toString(): string {
    const internal = this[kInternal];
    let status = 'initial';
    if (internal.role === 'self') status = 'started';
    else if (internal.exitcode !== null) status = `stopped exitcode=${internal.exitcode}`;
    else if (internal.launched) status = 'started';
    return `<${this.constructor.name} name='${internal.name}' pid=${internal.pid ?? 'None'} ${status}${internal.daemon ? ' daemon' : ''}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Everything the child needs; serializing it here makes bad targets fail before anything starts. */
function childMessage(process_: Process, method: StartMethod): ChildMessage {
  const internal = process_[kInternal];
  const state = processState();
  const cls = process_.constructor === Process ? null : process_.constructor;
  const fields: Record<string, unknown> = { ...(process_ as object) };
  const body = serialize({ cls, fields, target: internal.target, args: internal.args });
  // The child imports the module that defines the target (or the subclass), as Python's
  // spawn re-imports __main__; a self-contained function travels alone and needs none.
  const definer = cls ?? (internal.target && exportNameOf(internal.target) !== undefined ? internal.target : undefined);
  return {
    header: {
      name: internal.name,
      identity: internal.identity,
      daemon: internal.daemon,
      authkey: internal.authkey,
      parent: { pid: process.pid, name: state.name, ...(method === 'thread' ? { threadId: threadId } : {}) },
      startMethod: state.startMethod,
      mainUrl: definer ? functionModuleUrl(definer as Function) : undefined,
    },
    body,
  };
}

function signalProcess(target: Process, signal: 'SIGTERM' | 'SIGKILL'): void {
  const internal = openInternal(target);
  if (internal.role === 'self') {
    // A thread ends itself alone (its pid is the whole program's), with the code its parent
    // would report had it signalled it: -15 or -9.
    if (isMainThread) process.kill(process.pid, signal);
    else process.exit(-constants.signals[signal]);
  } else if (internal.role === 'parent' && internal.pid !== undefined) process.kill(internal.pid, signal);
  else if (internal.launched && internal.exitcode === null) internal.launched.signal(signal);
}

function openInternal(target: Process): Internal {
  const internal = target[kInternal];
  if (internal.closed) throw new ProcessError('this Process object is closed');
  return internal;
}

/** Builds the Process object a child sees as currentProcess(): same class, same own fields. */
export function reviveCurrentProcess(
  cls: Function | null,
  fields: Record<string, unknown>,
  init: {
    target: Internal['target'];
    args: unknown[];
    name: string;
    daemon: boolean;
    authkey: Uint8Array;
    identity: number[];
    pid: number;
    ident: number;
  },
): Process {
  const object = Object.create((cls ?? Process).prototype) as Process;
  const internal = newInternal('self');
  Object.assign(internal, init);
  Object.defineProperty(object, kInternal, { value: internal, enumerable: false, writable: true });
  Object.assign(object, fields);
  return object;
}

/** The MainProcess object, or a parent's stand-in. */
export function describeProcess(role: 'self' | 'parent', name: string, pid: number, ident: number): Process {
  const object = Object.create(Process.prototype) as Process;
  const internal = newInternal(role);
  Object.assign(internal, { name, pid, ident });
  Object.defineProperty(object, kInternal, { value: internal, enumerable: false, writable: true });
  return object;
}

export function processInternal(process: Process): Internal {
  return process[kInternal];
}
