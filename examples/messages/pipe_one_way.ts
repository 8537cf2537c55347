// Seed 004 "管道-Pipe": Pipe(false) gives [receiving end, sending end], a one-way street.
import { type Connection, isMainProcess, Pipe, Process } from 'multiprocessing';

export async function writer(a: Connection): Promise<void> {
  for (const word of ['one', 'way', 'only']) await a.send(word);
  a.close();
}

if (isMainProcess()) {
  const [b, a] = Pipe(false); // b receives, a sends
  console.log('b readable/writable:', b.readable, b.writable, '; a:', a.readable, a.writable);
  const p = new Process({ target: writer, args: [a] });
  p.start();
  a.close();
  const words: unknown[] = [];
  for (;;) {
    try {
      words.push(await b.recv());
    } catch {
      break; // EOFError: the writer closed its end
    }
  }
  await p.join();
  console.log(words.join(' '));
}
