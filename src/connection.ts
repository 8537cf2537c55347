// multiprocessing/connection: Connection (Listener, Client and wait are still to come). Re-exports only.
export { Connection, Pipe } from './connection/connection.js';
export { AuthenticationError, BufferTooShort, EOFError } from './errors.js';
