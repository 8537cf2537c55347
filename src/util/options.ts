// The trailing options object that stands for Python's keyword arguments.

/**
 * `options`, or {} when it was left out. Anything else is a TypeError that names the call and
 * the object it takes: a Python habit such as `wait(fs, 5)` or `shutdown(false)` would
 * otherwise be ignored without a word.
 */
export function optionsArg<T extends object>(options: T | undefined, call: string, example: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) {
    const got =
      typeof options === 'string' ? `'${options}'` : typeof options === 'function' ? 'a function' : String(options);
    throw new TypeError(`${call} takes an options object such as ${example}, got ${got}`);
  }
  return options;
}

/**
 * A TypeError for an option the call does not know, as Python's for an unexpected keyword
 * argument: a misspelt `chunkSize` or the executors' `maxTasksPerChild` on a Pool would
 * otherwise be ignored. Names the option meant when only the case differs.
 */
export function checkOptionNames(options: object, known: readonly string[], call: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = known.find((name) => name.toLowerCase() === key.toLowerCase());
    throw new TypeError(
      `${call} has no option '${key}'${meant ? `; did you mean '${meant}'?` : ''} (its options: ${known.join(', ')})`,
    );
  }
}
