#!/usr/bin/env node
// The `multiprocessing` command: `demo` (what `npm start` runs), `sched` (the CPU
// scheduling simulator), `bench` (points to the benchmark runner).
import { argv, exit } from 'node:process';

const usage = `usage: multiprocessing <command> [options]

commands:
  demo                 a short tour of what the package does, with real processes and threads
  sched [options]      simulate CPU scheduling policies and draw Gantt charts (sched --help)
  help                 this text
`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo();
    }
    case 'sched': {
      // Loaded on demand: the simulator has nothing to do with the other commands.
      const { schedCommand } = await import('./sched.js');
      return schedCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`multiprocessing: unknown command '${command}'\n\n${usage}`);
      return 2;
  }
}

main(argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    exit(1);
  },
);
