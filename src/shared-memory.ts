// multiprocessing/shared-memory: SharedMemory and ShareableList. Re-exports only.
export { type ShareableItem, ShareableList } from './shared-memory/shareable-list.js';
export { SharedMemory, type SharedMemoryOptions } from './shared-memory/shared-memory.js';
