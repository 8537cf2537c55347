'use strict';
// The anchors' idle child (shared/anchors/node/idle_child.cjs) after one loop hot enough for V8
// to optimize it (TurboFan, on-stack replacement), as a pool worker's loop is after its first
// few hundred tasks. Integer arithmetic only: nothing is allocated. Reports ready, then idles.
function step(x) {
  return (x * 3 + 1) & 0xffff;
}
let sum = 0;
for (let i = 0; i < 2e6; i++) sum = (sum + step(i)) & 0xfffff;
process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
});
process.send(sum >= 0 ? 'ready' : 'ready?');
