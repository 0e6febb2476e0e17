import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths';
import type { AlertingRule, RecordingRule } from '../src/slo-rules';

/** The rule files Prometheus loads: slo.yml from the generator, the others written by hand. */
export const RULES_DIR = join(WORKSPACE_ROOT, 'monitoring/prometheus/rules');

/** A rule as a file has it, recording (`record`) or alerting (`alert`); a hand-written one may leave out labels. */
export type Rule = Partial<RecordingRule & AlertingRule> & Pick<RecordingRule, 'expr'>;

/** The names of the rule files in RULES_DIR, `slo.yml` and the like. */
export const ruleFileNames = (): string[] => readdirSync(RULES_DIR).filter((name) => name.endsWith('.yml'));

/** Every rule of a rule file's text, group after group. */
export const rulesOf = (text: string): Rule[] => (parse(text) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);

/** Every rule of one file of RULES_DIR. */
export const rulesIn = (file: string): Rule[] => rulesOf(readFileSync(join(RULES_DIR, file), 'utf8'));
