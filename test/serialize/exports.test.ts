// A function of the package itself is sent by the entry point that exports it, whichever of the
// build's chunks defines it. (Run from the sources, the folder of serialize/ stands for the
// chunks' folder.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerOwnEntries } from '../../src/serialize/exports.ts';
import { deserializeSync, serialize } from '../../src/serialize/index.ts';

test('serialize: a package function from another chunk than the serializer is named by its entry point', () => {
  registerOwnEntries({ index: { deserializeSync } });
  const wire = Buffer.from(serialize(deserializeSync)).toString('latin1');
  const entry = new URL('../../src/index.js', import.meta.url).href;
  assert.ok(wire.includes(entry), `the reference names ${entry}: ${JSON.stringify(wire)}`);
  assert.ok(!wire.includes('codec.ts'), 'not the module that defines it');
  assert.equal(deserializeSync(serialize(42)), 42);
});
