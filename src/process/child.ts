// The child's side of start(): take on the identity the parent gave, import the module
// that defines the target (the bootstrapping phase, as Python's spawn re-imports
// __main__), rebuild the Process object, run it, join its own non-daemonic children, exit.
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { native } from '../native/binding.js';
import { deserialize, rememberModule } from '../serialize/index.js';
import type { ChildMessage } from './launch.js';
import { type Process, reviveCurrentProcess } from './process.js';
import type { StartMethod } from './start-method.js';
import { processState } from './state.js';

const { inspect } = process.getBuiltinModule('node:util'); // (a builtin every child loads: see docs/design.md, "The build")

interface Body {
  cls: Function | null;
  fields: Record<string, unknown>;
  target: ((...args: any[]) => unknown) | undefined;
  args: unknown[];
}

function moduleUrl(location: string): string {
  return location.startsWith('file:') || location.startsWith('data:') ? location : pathToFileURL(location).href;
}

export function reportError(name: string, error: unknown): void {
  process.stderr.write(`Process ${name}:\n${inspect(error, { depth: 4 })}\n`);
}

export async function runChild(message: ChildMessage, method: StartMethod): Promise<void> {
  const { header, body } = message;
  const state = processState();
  state.isMain = false;
  state.name = header.name;
  state.identity = header.identity;
  state.childCounter = 0;
  state.daemon = header.daemon;
  state.authkey = new Uint8Array(header.authkey);
  state.parent = header.parent;
  state.startMethod = header.startMethod as StartMethod | undefined;
  if (method === 'spawn' && header.daemon) dieWithParent(header.parent.pid);

  let code = 0;
  state.bootstrapping = true;
  try {
    if (header.mainUrl) {
      const url = moduleUrl(header.mainUrl);
      rememberModule(url, (await import(url)) as Record<string, unknown>);
    }
    const decoded = await deserialize<Body>(body);
    state.bootstrapping = false;
    const current: Process = reviveCurrentProcess(decoded.cls, decoded.fields, {
      target: decoded.target,
      args: decoded.args,
      name: header.name,
      daemon: header.daemon,
      authkey: state.authkey,
      identity: header.identity,
      pid: process.pid,
      ident: method === 'thread' ? threadId : process.pid,
    });
    state.current = current;
    await current.run();
  } catch (error) {
    reportError(header.name, error);
    code = 1;
  }
  state.bootstrapping = false;
  await joinChildren();
  // A target that set process.exitCode (Node's way to exit with a code once done) keeps it.
  const requested = process.exitCode;
  process.exit(code !== 0 ? code : typeof requested === 'number' ? requested : 0);
}

/** Python joins non-daemonic children at exit; so does a child before it ends. */
async function joinChildren(): Promise<void> {
  const children = [...processState().children] as Process[];
  await Promise.all(children.filter((child) => !child.daemon).map((child) => child.join()));
}

/** A daemonic 'spawn' child is killed by the kernel when its parent ends, however it ends. */
function dieWithParent(parentPid: number): void {
  native().setParentDeathSignal(constants.signals.SIGKILL);
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
