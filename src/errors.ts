// Every error class the package throws (besides TypeError/RangeError for bad arguments).
// Each carries a stable `code` so callers can branch without parsing messages.

export class ProcessError extends Error {
  code = 'ERR_MP_PROCESS';
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A timeout passed before the awaited thing happened. */
export class TimeoutError extends ProcessError {
  override code = 'ERR_MP_TIMEOUT';
}

export class AuthenticationError extends ProcessError {
  override code = 'ERR_MP_AUTHENTICATION';
}

export class BufferTooShort extends ProcessError {
  override code = 'ERR_MP_BUFFER_TOO_SHORT';
}

/** A value could not cross a process boundary. Thrown in the sender. */
export class SerializationError extends ProcessError {
  override code = 'ERR_MP_SERIALIZATION';
}

/** Raised by a remote object (manager) and re-raised in the caller. */
export class RemoteError extends ProcessError {
  override code = 'ERR_MP_REMOTE';
}

export class BrokenBarrierError extends ProcessError {
  override code = 'ERR_MP_BROKEN_BARRIER';
}

/** `put` on a full queue without waiting (or after its timeout). */
export class Full extends Error {
  code = 'ERR_MP_FULL';
  constructor(message = 'the queue is full', options?: ErrorOptions) {
    super(message, options);
    this.name = 'Full';
  }
}

/** `get` on an empty queue without waiting (or after its timeout). */
export class Empty extends Error {
  code = 'ERR_MP_EMPTY';
  constructor(message = 'the queue is empty', options?: ErrorOptions) {
    super(message, options);
    this.name = 'Empty';
  }
}

/** The other end of a connection is closed and nothing is left to read. */
export class EOFError extends Error {
  code = 'ERR_MP_EOF';
  constructor(message = 'the other end of the connection was closed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'EOFError';
  }
}
