/** A command-line option or setting that cannot work; the message says which and why. Exit status 2. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** The run could not begin: the gateway is unreachable or not ready, or no user could sign in. Exit status 1. */
export class StartError extends Error {
  override name = 'StartError';
}

/**
 * Runs a command's `main` and sets the exit status: what it returns; 2 with the usage for an
 * OptionsError; 1 for a StartError; 1 with the stack for anything else.
 */
export function runCommand(name: string, usage: string, main: () => Promise<number>): void {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  main().then(
    (status) => (process.exitCode = status),
    (error: unknown) => {
      if (error instanceof OptionsError) err(`${name}: ${error.message}\n\n${usage}`);
      else if (error instanceof StartError) err(`${name}: ${error.message}`);
      else err(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = error instanceof OptionsError ? 2 : 1;
    },
  );
}
