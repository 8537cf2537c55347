// The errors of multiprocessing/futures, as concurrent.futures names them. All are
// ProcessErrors, so `catch (e) { if (e instanceof ProcessError) … }` sees them too.
import { ProcessError } from '../errors.js';

/** result()/exception() of a future that was cancelled. */
export class CancelledError extends ProcessError {
  override code = 'ERR_MP_CANCELLED';
}

/** An operation that the future's state does not allow. */
export class InvalidStateError extends ProcessError {
  override code = 'ERR_MP_INVALID_STATE';
}

/**
 * A worker of the executor ended abruptly (crash, process.exit, a signal, out of memory): the
 * task it ran, every pending task and every later submit fail with this error.
 */
export class BrokenProcessPool extends ProcessError {
  override code = 'ERR_MP_BROKEN_POOL';
}
