// Shared objects (locks, queues, shared memory, …) cross a boundary as handles: the sender
// asks the object for { type, data } through `obj[kHandle]()`, the receiver rebuilds a live
// object backed by the same shared state with the decoder registered for `type`. `data`
// goes through the same serializer, so it may hold other handles.
import { SerializationError } from '../errors.js';

export const kHandle = Symbol.for('multiprocessing.handle');

export interface HandleWire {
  type: string;
  data: unknown;
}

const decoders = new Map<string, (data: unknown) => unknown>();

export function registerHandleType(type: string, decode: (data: unknown) => unknown): void {
  decoders.set(type, decode);
}

export function decodeHandle(handle: HandleWire): unknown {
  const decode = decoders.get(handle.type);
  if (!decode) {
    throw new SerializationError(
      `received a handle of type '${handle.type}', but no module of this process registered that type; import the module that defines it (import 'multiprocessing' registers all built-in ones)`,
    );
  }
  return decode(handle.data);
}
