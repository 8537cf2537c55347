// The resource tracker (CPython's idea): one tiny process per program tree records the
// shared-memory segments created anywhere in the tree and unlinks those still left when
// the last process of the tree is gone. Every process of the tree holds the write end of
// the tracker's stdin (children get it as an inherited fd); the kernel closes it however
// a process ends, SIGKILL included, so the tracker sees end-of-file exactly when the whole
// tree has ended. The tracker is `sh` + `awk`: it starts in a millisecond and uses ~1 MiB.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { fstatSync, writeSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")

/**
 * Environment variable through which a child learns the tracker pipe: `fd:inode`. The inode
 * tells our children (which got the pipe at that fd) from unrelated programs that merely
 * inherited the environment (a process spawned with child_process): those start their own.
 */
export const TRACKER_FD_ENV = 'MP_TRACKER_FD';

// Ignore the terminal's signals: the tracker must outlive a Ctrl-C'd tree to clean up.
const TRACKER_SCRIPT = `trap '' INT TERM HUP QUIT
exec awk '
  substr($0, 1, 1) == "+" { live[substr($0, 2)] = 1; next }
  substr($0, 1, 1) == "-" { delete live[substr($0, 2)]; next }
  END { for (name in live) system("rm -f -- \\"/dev/shm/" name "\\"") }
'`;

let fd: number | undefined;
let startedHere = false;

/** The fd of the tracker pipe in this process, starting the tracker if there is none yet. */
export function trackerFd(): number {
  if (fd !== undefined) return fd;
  const inherited = inheritedFd(process.env[TRACKER_FD_ENV]);
  if (inherited !== undefined) {
    fd = inherited;
    return fd;
  }
  // (child_process loaded here: only the program's root starts a tracker)
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const tracker = spawn('/bin/sh', ['-c', TRACKER_SCRIPT], {
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  tracker.unref();
  const stdin = tracker.stdin as unknown as { unref(): void; _handle: { fd: number } };
  stdin.unref();
  fd = stdin._handle.fd;
  // Threads of this process share the fd; they learn it from their environment.
  process.env[TRACKER_FD_ENV] = trackerEnv(fd);
  startedHere = true;
  return fd;
}

/** The value of TRACKER_FD_ENV for a process that has the tracker pipe at `childFd`. */
export function trackerEnv(childFd: number): string {
  return `${childFd}:${fstatSync(trackerFd()).ino}`;
}

function inheritedFd(value: string | undefined): number | undefined {
  const match = /^(\d+):(\d+)$/.exec(value ?? '');
  if (!match) return undefined;
  const candidate = Number(match[1]);
  try {
    const stat = fstatSync(candidate);
    if ((stat.isFIFO() || stat.isSocket()) && String(stat.ino) === match[2]) return candidate;
  } catch {
    // not open here
  }
  return undefined;
}

/** Whether this process started the tree's tracker, i.e. is the root of the program tree. */
export function isTrackerRoot(): boolean {
  return startedHere;
}

function send(line: string): void {
  const target = trackerFd();
  const data = Buffer.from(line);
  // The pipe is non-blocking (libuv made it); a full pipe only means the tracker is busy.
  for (let written = 0; written < data.length; ) {
    try {
      written += writeSync(target, data, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export function register(name: string): void {
  send(`+${name}\n`);
}

export function unregister(name: string): void {
  send(`-${name}\n`);
}
