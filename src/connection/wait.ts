// connection.wait(): which of some connections and processes are ready, as Python's
// multiprocessing.connection.wait(): a connection with a message (or end-of-file) to read,
// a process that has ended.
import { Process } from '../process/process.js';
import { deadlineOf, remaining, Timer, validateTimeout } from '../util/deadline.js';
import { Connection } from './connection.js';
import { SocketConnection } from './socket.js';
import { kReady, kWhenChanged } from './waitable.js';

type Waitable = Connection | SocketConnection | Process;

const ready = (object: Waitable) => (object instanceof Process ? object.exitcode !== null : object[kReady]());

/**
 * The objects that are ready, in the order given: at once if some are, else as soon as one
 * is, or none once `timeout` ms pass (undefined: as long as it takes).
 */
export async function wait<T extends Waitable>(objects: T[], timeout?: number): Promise<T[]> {
  if (!Array.isArray(objects)) throw new TypeError('wait() takes an array of Connections and Processes');
  for (const object of objects) {
    if (!(object instanceof Connection || object instanceof SocketConnection || object instanceof Process)) {
      throw new TypeError(`wait() takes Connections and Processes, got ${String(object)}`);
    }
  }
  if (timeout !== undefined) validateTimeout(timeout);
  const deadline = deadlineOf(timeout);
  for (;;) {
    const found = objects.filter(ready);
    const left = remaining(deadline);
    if (found.length > 0 || left === 0 || objects.length === 0) return found;
    const stop = new AbortController();
    let timer: Timer | undefined;
    try {
      await Promise.race([
        ...objects.map((object) => (object instanceof Process ? object.sentinel : object[kWhenChanged](stop.signal))),
        new Promise<void>((resolve) => {
          if (left !== undefined) timer = new Timer(resolve, left);
        }),
      ]);
    } finally {
      timer?.clear();
      stop.abort(); // (the other waits end)
    }
  }
}
