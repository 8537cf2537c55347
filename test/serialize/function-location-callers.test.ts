// Where a function was defined, found without the Debugger domain: the one file, among the
// calling code's own and those it imports by relative paths, that holds the function's text
// where V8 says it is. Its own process: the Debugger, once on, reports every script, and
// nothing would be left to find without it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { locate, scriptSource } from '../../src/serialize/function-location.ts';
import { posted } from '../fixtures/serialize/debugger-spy.ts';
import { locateOwn } from '../fixtures/serialize/located/caller.mjs';
import { triple } from '../fixtures/serialize/located/tasks.mjs';
import { twin as twinA } from '../fixtures/serialize/located/twin-a.mjs';
import { twin as twinB } from '../fixtures/serialize/located/twin-b.mjs';

const fixture = (name: string) => new URL(`../fixtures/serialize/located/${name}`, import.meta.url);

test("function location: a function of a module the caller imports by a relative path, and the caller's own", () => {
  const imported = locate(triple);
  assert.equal(imported?.url, fixture('tasks.mjs').href);
  assert.deepEqual([imported.line, imported.column], [2, 22]);
  assert.equal(scriptSource(imported.scriptId), readFileSync(fixture('tasks.mjs'), 'utf8'));

  const { location, own } = locateOwn(locate);
  assert.equal(location?.url, fixture('caller.mjs').href);
  assert.ok(scriptSource(location.scriptId).includes(own.toString()));
  assert.equal(posted.length, 0, 'found without the Debugger domain');
});

test('function location: two imported files that both hold the text leave the choice to the Debugger', () => {
  const a = locate(twinA);
  assert.equal(a?.url, fixture('twin-a.mjs').href);
  assert.deepEqual([posted[0], posted.at(-1)], ['Debugger.enable', 'Debugger.disable'], posted.join(', '));
  const b = locate(twinB);
  assert.equal(b?.url, fixture('twin-b.mjs').href);
  assert.notEqual(b.scriptId, a.scriptId);
});
