// What connection.wait() asks of a connection, under symbols so that they stay off the API.

/** `conn[kReady]()`: whether recv() would not wait (a message, or end-of-file). */
export const kReady = Symbol('multiprocessing.ready');
/** `conn[kWhenChanged](signal)`: resolves once kReady may have changed, or when `signal` aborts. */
export const kWhenChanged = Symbol('multiprocessing.whenChanged');
