// Serialisation for everything that crosses a process or thread boundary. Re-exports only.
export {
  deserialize,
  deserializeNumbers,
  deserializeOneNumber,
  deserializeSync,
  isPlain,
  kRevive,
  NOT_SCALAR,
  scalarAt,
  serialize,
  serializeFloats,
} from './codec.js';
export {
  describeFunction,
  exportNameOf,
  type FunctionDescription,
  functionModuleUrl,
  rememberModule,
} from './functions.js';
export { collectTransfers, type HandleWire, kHandle, registerHandleType, registerTransfer } from './handles.js';
export { taskRef } from './task-ref.js';
