/** A command-line option or setting that cannot work; the message says which and why. Exit status 2. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** The run could not begin: the gateway is unreachable or not ready, or no user could sign in. Exit status 1. */
export class StartError extends Error {
  override name = 'StartError';
}
