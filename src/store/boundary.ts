/**
 * The one error boundary between the application and a backend (issue 13, point 2): every
 * call on a store passes through it, and whatever the driver throws leaves it as one of the
 * application's typed errors (src/errors.ts), so the HTTP layer maps a backend failure the
 * same way whichever store, method or route it came from. drizzle does the same in
 * `SQLiteSession.run`, wrapping the driver's errors once.
 */
import { AppError } from '../errors.ts';

/** Turns a driver failure of `operation` (a method name) into an AppError; AppErrors pass through. */
export type Translate = (err: unknown, operation: string) => AppError;

/**
 * Wraps every method of `target`, sync or async, so that its failures go through `translate`.
 * Methods run on the target itself (not the proxy), so private fields keep working; properties
 * are read through unchanged.
 */
export function withErrorBoundary<T extends object>(target: T, translate: Translate): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property, t);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let fn = wrapped.get(property);
      if (!fn) {
        const name = String(property);
        const method = value as (...args: unknown[]) => unknown;
        const fail = (err: unknown): never => {
          throw err instanceof AppError ? err : translate(err, name);
        };
        fn = (...args: unknown[]) => {
          let result: unknown;
          try {
            result = method.apply(t, args);
          } catch (err) {
            return fail(err);
          }
          return result instanceof Promise ? result.catch(fail) : result;
        };
        wrapped.set(property, fn);
      }
      return fn;
    },
  });
}
