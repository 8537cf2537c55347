// multiprocessing/connection: Listener, Client, Connection, wait (land with the message-passing issue).
export { AuthenticationError, BufferTooShort, EOFError } from './errors.js';
