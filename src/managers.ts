// multiprocessing/managers: managers and proxies (land with the managers issue).
export { RemoteError } from './errors.js';
