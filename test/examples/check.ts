// Runs examples as a user would and checks what they print (shared by the examples tests,
// one file per folder so that each stays well inside the per-file time limit).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function checkExamples(expectations: Record<string, RegExp[]>): void {
  for (const [example, patterns] of Object.entries(expectations)) {
    test(`examples: ${example}`, () => {
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      const result = spawnSync(
        process.execPath,
        [...process.execArgv.filter((arg) => !arg.startsWith('--test')), `examples/${example}`],
        { cwd: root, encoding: 'utf8', env, timeout: 60_000 },
      );
      assert.equal(result.status, 0, `exit ${result.status} ${result.signal ?? ''}\n${result.stderr}`);
      for (const pattern of patterns) assert.match(result.stdout, pattern);
      if (example === 'shared/lock_tickets.ts') {
        assert.equal(result.stdout.match(/购票成功/g)?.length, 2, 'exactly two of five buyers get the two tickets');
      }
    });
  }
}
