// Where a function was defined, through the inspector: the Debugger domain must be on only
// while a lookup needs it (while it is on, V8 runs every promise of the program through its
// debugger hooks, and promise-heavy code ran 2.7× slower).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locate, scriptSource } from '../../src/serialize/function-location.ts';
import { setExitCode } from '../fixtures/process/targets.ts';
import { posted } from '../fixtures/serialize/debugger-spy.ts';

export function here(x: number): number {
  return x + 1;
}

function balanced(): void {
  const enables = posted.filter((m) => m === 'Debugger.enable').length;
  assert.equal(posted.filter((m) => m === 'Debugger.disable').length, enables, posted.join(', '));
  if (posted.length > 0) assert.equal(posted.at(-1), 'Debugger.disable', 'the Debugger domain was left on');
}

test('function location: the Debugger domain is turned off again after each lookup that needed it', () => {
  const location = locate(here);
  assert.ok(location, 'found');
  assert.match(location.url, /function-location\.test\.ts$/);
  assert.ok(posted.includes('Debugger.enable'), 'a script not seen before turns the Debugger on');
  balanced();

  // Its script's source was read while the Debugger was on: no second time.
  const before = posted.length;
  assert.match(scriptSource(location.scriptId), /function here\(x\)/);
  assert.equal(posted.length, before);

  // Another function of a script already seen: no Debugger at all.
  const again = locate(balanced);
  assert.equal(again?.scriptId, location.scriptId);
  assert.equal(posted.length, before);

  // Another script: on and off again, and its source (asked later) too.
  const other = locate(setExitCode);
  assert.ok(other);
  assert.match(other.url, /targets\.ts$/);
  balanced();
  assert.match(scriptSource(location.scriptId), /function here\(x\)/);
  balanced();
});

test('function location: native and bound functions have none, and leave the Debugger off', () => {
  assert.equal(locate(Math.max), undefined);
  assert.equal(locate(here.bind(null)), undefined);
  balanced();
});
