// Python's ctypes typecodes and the typed arrays that hold them (Linux sizes: 'l' is 64-bit).

export type TypeCode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 'c' | '?';

/** The typed array that holds each typecode's elements. */
export type ArrayFor<T extends TypeCode> = T extends 'b'
  ? Int8Array
  : T extends 'B' | 'c' | '?'
    ? Uint8Array
    : T extends 'h'
      ? Int16Array
      : T extends 'H'
        ? Uint16Array
        : T extends 'i'
          ? Int32Array
          : T extends 'I'
            ? Uint32Array
            : T extends 'l' | 'q'
              ? BigInt64Array
              : T extends 'L' | 'Q'
                ? BigUint64Array
                : T extends 'f'
                  ? Float32Array
                  : Float64Array;

/** What `.value` holds for each typecode. */
export type ScalarFor<T extends TypeCode> = T extends 'c'
  ? string
  : T extends '?'
    ? boolean
    : T extends 'l' | 'L' | 'q' | 'Q'
      ? bigint
      : number;

export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export interface TypeInfo {
  readonly array: TypedArrayConstructor;
  readonly bytes: number;
  readonly kind: 'int' | 'bigint' | 'float' | 'char' | 'bool';
  readonly min?: bigint;
  readonly max?: bigint;
}

const int = (array: TypedArrayConstructor, bits: number, signed: boolean): TypeInfo => ({
  array,
  bytes: bits / 8,
  kind: bits === 64 ? 'bigint' : 'int',
  min: signed ? -(1n << BigInt(bits - 1)) : 0n,
  max: signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n,
});

export const TYPECODES: Readonly<Record<TypeCode, TypeInfo>> = {
  b: int(Int8Array, 8, true),
  B: int(Uint8Array, 8, false),
  h: int(Int16Array, 16, true),
  H: int(Uint16Array, 16, false),
  i: int(Int32Array, 32, true),
  I: int(Uint32Array, 32, false),
  l: int(BigInt64Array, 64, true),
  L: int(BigUint64Array, 64, false),
  q: int(BigInt64Array, 64, true),
  Q: int(BigUint64Array, 64, false),
  f: { array: Float32Array, bytes: 4, kind: 'float' },
  d: { array: Float64Array, bytes: 8, kind: 'float' },
  c: { array: Uint8Array, bytes: 1, kind: 'char' },
  '?': { array: Uint8Array, bytes: 1, kind: 'bool' },
};

export function typeInfo(typecode: unknown): TypeInfo {
  if (typeof typecode !== 'string' || !Object.hasOwn(TYPECODES, typecode)) {
    throw new TypeError(
      `unknown typecode ${JSON.stringify(typecode)}; use one of ${Object.keys(TYPECODES)
        .map((c) => `'${c}'`)
        .join(' ')}`,
    );
  }
  return TYPECODES[typecode as TypeCode];
}

/** Converts one element for storage, or throws TypeError/RangeError naming what was wrong. */
export function toElement(typecode: TypeCode, value: unknown, what: string): number | bigint {
  const info = TYPECODES[typecode];
  switch (info.kind) {
    case 'bool':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      throw new TypeError(`${what} for typecode '?' must be a boolean, got ${typeof value}`);
    case 'char':
      if (typeof value === 'string') {
        // One byte, read back as the character of that code (Latin-1): 'A', 'é' (0xe9), '\xff'.
        if (value.length !== 1 || value.charCodeAt(0) > 0xff) {
          throw new TypeError(
            `${what} for typecode 'c' must be one character from '\\x00' to '\\xff' (a byte), got ${JSON.stringify(value)}`,
          );
        }
        return value.charCodeAt(0);
      }
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
      throw new TypeError(
        `${what} for typecode 'c' must be a one-character string or a byte value, got ${typeof value}`,
      );
    case 'float':
      if (typeof value === 'number') return value;
      throw new TypeError(`${what} for typecode '${typecode}' must be a number, got ${typeof value}`);
    default: {
      let big: bigint;
      if (typeof value === 'bigint') big = value;
      else if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
      else if (typeof value === 'boolean') big = value ? 1n : 0n;
      else
        throw new TypeError(
          `${what} for typecode '${typecode}' must be an integer, got ${typeof value === 'number' ? value : typeof value}`,
        );
      if (big < info.min! || big > info.max!) {
        throw new RangeError(`${what} ${big} is out of range for typecode '${typecode}' (${info.min} … ${info.max})`);
      }
      return info.kind === 'bigint' ? big : Number(big);
    }
  }
}
