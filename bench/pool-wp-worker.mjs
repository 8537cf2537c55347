// workerpool's worker script (thread and process modes) with the pool figures' tasks.
import workerpool from 'workerpool';
import { noop, primeSum, square } from './pool-tasks.mjs';

workerpool.worker({ square, noop, primeSum });
