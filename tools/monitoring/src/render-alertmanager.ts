import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './paths';

export const ALERTMANAGER_TEMPLATE_PATH = join(WORKSPACE_ROOT, 'monitoring/alertmanager/alertmanager.yml');

const VARIABLE_REFERENCE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** The configuration without its comment lines, which may mention the `${NAME}` syntax itself. */
export const withoutComments = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');

/** The variables a configuration text needs, in order of first use. */
export function referencedVariables(text: string): string[] {
  return [...new Set([...withoutComments(text).matchAll(VARIABLE_REFERENCE)].map((match) => match[1]))];
}

/**
 * Fills every `${NAME}` from `env`. Refuses, naming every problem at once, a variable that is unset or
 * empty, and a value with a quote or line break (it would change the YAML around it).
 */
export function renderConfig(text: string, env: NodeJS.ProcessEnv): string {
  const problems: string[] = [];
  for (const name of referencedVariables(text)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') problems.push(`${name} is not set`);
    else if (/['"\r\n]/.test(value)) problems.push(`${name} must not contain quotes or line breaks`);
  }
  if (env.SMTP_REQUIRE_TLS !== undefined && !['true', 'false'].includes(env.SMTP_REQUIRE_TLS)) problems.push('SMTP_REQUIRE_TLS must be true or false');
  if (problems.length > 0) throw new Error(`cannot render the Alertmanager configuration:\n  ${problems.join('\n  ')}`);
  return withoutComments(text).replace(VARIABLE_REFERENCE, (_, name: string) => env[name] as string);
}

if (require.main === module) {
  const [output] = process.argv.slice(2);
  try {
    if (!output) throw new Error('usage: render-alertmanager <output file>');
    writeFileSync(output, renderConfig(readFileSync(ALERTMANAGER_TEMPLATE_PATH, 'utf8'), process.env), { mode: 0o600 });
    process.stdout.write(`wrote ${output}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
