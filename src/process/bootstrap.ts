// Entry point of every child: the script a 'spawn' child runs and the module a 'thread'
// worker imports. It takes its {header, body} (from the environment, the IPC channel or
// workerData) and hands over to child.ts.
import v8 from 'node:v8';
import { isMainThread, workerData } from 'node:worker_threads';
import { runChild } from './child.js';
import { type ChildMessage, START_MESSAGE_ENV } from './launch.js';

const inEnv = process.env[START_MESSAGE_ENV];
if (isMainThread && inEnv !== undefined) {
  delete process.env[START_MESSAGE_ENV];
  process.channel?.unref();
  void runChild(v8.deserialize(Buffer.from(inEnv, 'base64')) as ChildMessage, 'spawn');
} else if (isMainThread) {
  process.once('message', (message: ChildMessage) => {
    // The channel stays open so a daemon notices its parent's death, but it must not
    // keep the child alive once the target has finished.
    process.channel?.unref();
    void runChild(message, 'spawn');
  });
} else {
  void runChild(workerData as ChildMessage, 'thread');
}
