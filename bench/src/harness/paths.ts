import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
export const BENCH_DIST = join(WORKSPACE_ROOT, 'bench', 'dist');
export const STOCK_OTEL_PRELOAD = join(BENCH_DIST, 'stock-otel', 'register.js');
export const TRIVIAL_SERVICE_MAIN = join(BENCH_DIST, 'trivial-service', 'main.js');
export const RESULTS_FILE = join(WORKSPACE_ROOT, 'bench', 'results', 'latest.json');
export const PERFORMANCE_DOC = join(WORKSPACE_ROOT, 'docs', 'performance.md');
export const LOGGING_PROBE_MAIN = join(BENCH_DIST, 'logging-probe', 'main.js');
export const SPAN_SINK_MAIN = join(BENCH_DIST, 'span-sink', 'main.js');
