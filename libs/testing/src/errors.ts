/**
 * The error `load` throws, so a test can check both its type and its message; fails naming `what`
 * when it does not throw. For configuration loaders, whose refusals are the point of their tests.
 */
export function errorThrownBy(load: () => unknown, what: string): Error {
  try {
    load();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${what} to throw, but it returned a configuration`);
}
