// The trailing options object that stands for Python's keyword arguments.

/**
 * `options`, or {} when it was left out. Anything else is a TypeError that names the call and
 * the object it takes: a Python habit such as `wait(fs, 5)` or `shutdown(false)` would
 * otherwise be ignored without a word.
 */
export function optionsArg<T extends object>(options: T | undefined, call: string, example: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) {
    const got = typeof options === 'string' ? `'${options}'` : String(options);
    throw new TypeError(`${call} takes an options object such as ${example}, got ${got}`);
  }
  return options;
}
