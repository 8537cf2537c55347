// Simulated time is a plain number, and sums such as 0.4 + 0.3 are not exact in binary
// floating point. Every computed time is snapped to a nanounit grid so that events meant to
// coincide do coincide and 0.7 prints as 0.7.

const GRID = 1e9;

/** Rounds a computed time to the simulator's grid (nine decimals). */
export function snap(time: number): number {
  return Math.round(time * GRID) / GRID;
}

/** Times closer than this are the same instant. */
export const EPSILON = 1e-9 / 2;

/** Formats a time for people: at most three decimals, no trailing zeros. */
export function formatTime(time: number): string {
  return String(Number(time.toFixed(3)));
}
