import { join } from 'node:path';

/** The repository root: this file is in tools/monitoring/src, and built in tools/monitoring/dist. */
export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

export const SLO_SPEC_PATH = join(WORKSPACE_ROOT, 'monitoring/slo/slos.yml');
