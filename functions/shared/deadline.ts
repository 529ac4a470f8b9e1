/**
 * The instant by which the current invocation's record work must be done, visible to code deep in the call
 * stack (the AlphaVantage limiter decides how long a caller may wait for a slot) without threading it through
 * every handler. An AsyncLocalStorage, not a module variable: locally one process serves several invocations
 * of the same handler at once (one per partition), each with its own deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with `deadlineMs` (epoch ms) as the deadline of everything it awaits. */
export function withDeadline<T>(deadlineMs: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadlineMs, work);
}

/** The current invocation's deadline (epoch ms), or undefined outside an invocation. */
export function currentDeadline(): number | undefined {
  return deadlines.getStore();
}
