// multiprocessing/connection: Connection, Listener, Client and wait. Re-exports only.
export { Connection, Pipe } from './connection/connection.js';
export { type Address, Client, Listener, SocketConnection } from './connection/socket.js';
export { wait } from './connection/wait.js';
export { AuthenticationError, BufferTooShort, EOFError } from './errors.js';
