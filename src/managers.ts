// multiprocessing/managers: managers and proxies. Re-exports only.
export { RemoteError } from './errors.js';
export { BaseManager, Manager, SyncManager } from './managers/manager.js';
export { BaseProxy, DictProxy, ListProxy, NamespaceProxy } from './managers/proxy.js';
