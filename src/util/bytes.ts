// Little-endian words written byte by byte into a Uint8Array: on the tiny-task path, where
// Buffer's writeUInt32LE() and kin checked their arguments on every call.

/** The low 32 bits of `value` at `at`, little-endian (an int32 gives the same bytes). */
export function putUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}
