// multiprocessing/shared-memory: SharedMemory and ShareableList (land with the shared-state issue).
export {};
