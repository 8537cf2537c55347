// The child of the P13 figure (bench/figures/managers.mjs): sets n keys of a manager dict and
// reports how long that took, timed inside the child as the anchor's _mgr_child does.
// No top-level work: a child that loads it pays nothing for it.

export async function setKeys(d, conn, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await d.set(i, i);
  await conn.send(performance.now() - start);
}
