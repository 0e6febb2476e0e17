import type { UserRole } from '@ai-finance/contracts';
import { loadDatabaseConfig, type DatabaseConfig } from '@ai-finance/database';
import { Client } from 'pg';

export const USER_MANAGEMENT_SCHEMA = 'user_management';

export class UnknownUserError extends Error {
  constructor(readonly email: string) {
    super(`No user with email "${email}" exists`);
    this.name = 'UnknownUserError';
  }
}

export interface RoleGrant {
  userId: string;
  email: string;
  previousRole: UserRole;
  role: 'operator';
}

/**
 * Makes the user with `email` an operator. Access tokens issued afterwards (at the next login or
 * refresh) carry the role; tokens already issued keep theirs until they expire.
 */
export async function grantOperator(email: string, config: Pick<DatabaseConfig, 'url' | 'schema'>): Promise<RoleGrant> {
  const client = new Client({ connectionString: config.url, options: `-c search_path=${config.schema}`, application_name: 'grant-operator' });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; email: string; previous_role: UserRole }>(
      `UPDATE users u SET role = 'operator', updated_at = now()
         FROM (SELECT id, role FROM users WHERE lower(email) = lower($1) FOR UPDATE) previous
        WHERE u.id = previous.id
        RETURNING u.id, u.email, previous.role AS previous_role`,
      [email],
    );
    const user = rows[0];
    if (!user) throw new UnknownUserError(email);
    return { userId: user.id, email: user.email, previousRole: user.previous_role, role: 'operator' };
  } finally {
    await client.end();
  }
}

/**
 * The command line: `grant-operator <email>`. Returns the exit code; `out` and `err` receive what
 * the operator reads. Kept apart from the entry file so tests run it in-process.
 */
export async function runGrantOperatorCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const email = args[0]?.trim();
  if (!email || args.length > 1) {
    err('usage: node apps/user-management/dist/grant-operator.js <email>   (uses DATABASE_URL and DATABASE_SCHEMA)');
    return 1;
  }
  try {
    const config = loadDatabaseConfig(USER_MANAGEMENT_SCHEMA, env);
    const grant = await grantOperator(email, config);
    out(
      grant.previousRole === 'operator'
        ? `${grant.email} (user ${grant.userId}) already has the operator role; nothing changed`
        : `${grant.email} (user ${grant.userId}): role changed from ${grant.previousRole} to operator; tokens issued from now on carry it`,
    );
    return 0;
  } catch (error) {
    err(`grant-operator failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
