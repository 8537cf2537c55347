// Entry point of every child: the script a 'spawn' child runs and the module a 'thread'
// worker imports. It waits for its {header, body} and hands over to child.ts.
import { isMainThread, workerData } from 'node:worker_threads';
import { runChild } from './child.js';
import type { ChildMessage } from './launch.js';

if (isMainThread) {
  process.once('message', (message: ChildMessage) => {
    // The channel stays open so a daemon notices its parent's death, but it must not
    // keep the child alive once the target has finished.
    process.channel?.unref();
    void runChild(message, 'spawn');
  });
} else {
  void runChild(workerData as ChildMessage, 'thread');
}
