import { BenchOptionsError, parseBenchOptions, USAGE } from './options';
import { runBench } from './run-bench';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseBenchOptions(process.argv.slice(2));
  const startedAt = Date.now();
  const results = await runBench(options, (message) => process.stderr.write(`[bench ${Math.round((Date.now() - startedAt) / 1000)}s] ${message}\n`));
  for (const verdict of results.targets) {
    process.stdout.write(`${verdict.met === null ? 'n/a    ' : verdict.met ? 'met    ' : 'NOT MET'}  ${verdict.target}: ${verdict.measured}\n`);
  }
  process.stdout.write(`results: ${options.resultsFile}${options.performanceDoc ? `, ${options.performanceDoc}` : ''}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchOptionsError ? `${error.message}\n\n${USAGE}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof BenchOptionsError ? 2 : 1);
});
