// Seed 001 "os._exit / sys.exit" and "4.3 os.wait() ... os.WEXITSTATUS(status)": a child
// ends with an exit status; the parent collects it. Here process.exit(n) ends the child and
// join() + exitcode replace os.wait() + WEXITSTATUS.
import { isMainProcess, Process } from 'multiprocessing';

export function child(): void {
  console.log('Child process', process.pid);
  process.exit(1); // sys.exit(1)
}

/** sys.exit("退出") raises SystemExit, which can be caught; a thrown error ends a child with 1. */
export function catchExit(): void {
  try {
    throw new Error('退出');
  } catch (error) {
    console.log('退出原因:', (error as Error).message);
  }
}

if (isMainProcess()) {
  catchExit();
  const p = new Process({ target: child });
  p.start();
  await p.join(); // os.wait(): waits for the child to end
  console.log('pid : ', p.pid);
  console.log('status:', p.exitcode); // 1
}
