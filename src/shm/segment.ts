// Named POSIX shared-memory segments as SharedArrayBuffers. Every segment this package
// creates is registered with the resource tracker, so it is removed when the program tree
// ends however it ends; the root process also removes its own at a normal exit.
import { isMainThread } from 'node:worker_threads';
import { ProcessError } from '../errors.js';
import { native } from '../native/binding.js';
import { isTrackerRoot, register, trackerFd, unregister } from './tracker.js';

const { constants: bufferConstants } = process.getBuiltinModule('node:buffer'); // (a builtin every child loads: see docs/design.md, "The build")

export interface Segment {
  readonly name: string;
  readonly buffer: SharedArrayBuffer;
}

/**
 * Names we generate: `mp-<program>-<pid>-<n>-<random>`, all in the tracker's safe alphabet.
 * The pid and counter make them unique and creation is exclusive (a clash retries), so the
 * random part needs no crypto (whose first use costs a fresh worker milliseconds).
 */
const SAFE_NAME = /^[A-Za-z0-9._-]{1,200}$/;
const program = process.env.MP_PROGRAM ?? String(process.pid);
process.env.MP_PROGRAM = program;
let counter = 0;
const created = new Set<string>();
let exitHookInstalled = false;

export function validateSegmentName(name: string): void {
  if (typeof name !== 'string' || !SAFE_NAME.test(name.replace(/^\//, ''))) {
    throw new TypeError(
      `shared memory name ${JSON.stringify(name)} is not valid: use 1 to 200 characters from A-Z a-z 0-9 . _ - (an optional leading "/" is allowed)`,
    );
  }
}

function errnoCode(error: unknown): number | undefined {
  return (error as { errno?: number }).errno;
}

const EEXIST = 17;
const ENOENT = 2;

/** Creates a new segment of `size` bytes (exclusively); a name is generated unless given. */
/** The largest segment: Node's largest typed array (4 GiB on Node 20). */
const MAX_SEGMENT_BYTES = bufferConstants.MAX_LENGTH;

export function createSegment(size: number, name?: string): Segment {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(`shared memory size must be a positive integer number of bytes, got ${String(size)}`);
  }
  if (size > MAX_SEGMENT_BYTES) {
    // (checked before the file exists: it would be left in /dev/shm by the failing view)
    throw new RangeError(
      `shared memory size ${size} is more than ${MAX_SEGMENT_BYTES} bytes, the largest a Uint8Array can view in this Node.js; use several segments`,
    );
  }
  if (name !== undefined) validateSegmentName(name);
  trackerFd();
  installExitHook();
  for (let attempt = 0; ; attempt++) {
    const bare =
      name?.replace(/^\//, '') ??
      `mp-${program}-${process.pid}-${(counter++).toString(36)}-${Math.floor(Math.random() * 0x100000000).toString(16)}`;
    try {
      const buffer = native().open(`/${bare}`, size, true);
      register(bare);
      created.add(bare);
      return { name: bare, buffer };
    } catch (error) {
      if (errnoCode(error) === EEXIST) {
        if (name !== undefined)
          throw new ProcessError(
            `a shared memory segment named "${bare}" already exists; choose another name or attach to it with create: false`,
            { cause: error },
          );
        if (attempt < 8) continue;
      }
      throw new ProcessError(`could not create a shared memory segment of ${size} bytes: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/** Attaches to an existing segment by name. */
export function attachSegment(name: string): Segment {
  validateSegmentName(name);
  const bare = name.replace(/^\//, '');
  try {
    return { name: bare, buffer: native().open(`/${bare}`, 0, false) };
  } catch (error) {
    if (errnoCode(error) === ENOENT) {
      throw new ProcessError(
        `no shared memory segment named "${bare}" exists (it was never created, or was already unlinked)`,
        { cause: error },
      );
    }
    throw new ProcessError(`could not attach to shared memory segment "${bare}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Removes the name; mappings stay valid until every process drops them. False if it was gone. */
export function unlinkSegment(name: string): boolean {
  const bare = name.replace(/^\//, '');
  const removed = native().unlink(`/${bare}`);
  created.delete(bare);
  unregister(bare);
  return removed;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The tree's root removes what it created when it exits normally; anything else (a
  // killed root, segments made by children) is left to the tracker at the tree's end.
  process.on('exit', () => {
    if (!isMainThread || !isTrackerRoot()) return;
    for (const name of created) {
      try {
        native().unlink(`/${name}`);
        unregister(name);
      } catch {
        // best effort at exit; the tracker unlinks what is left
      }
    }
  });
}
