import { EVENTS, type UserRegistered, type UserRole } from '@ai-finance/contracts';
import { PG_ERRORS, pgErrorCode, type Database } from '@ai-finance/database';
import type { Outbox } from '@ai-finance/messaging';
import { RequestContext, type ServiceLogger } from '@ai-finance/observability';
import { ConflictException, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../auth/passwords';
import type { UserManagementMetrics } from '../metrics';

export interface RegisteredUser {
  userId: string;
  email: string;
  createdAt: string;
}

export interface UserProfile {
  userId: string;
  email: string;
  phone: string | null;
  role: UserRole;
  createdAt: string;
}

/** Accounts: registration (row and `user.registered` event in one transaction) and the profile. */
export class UserAccounts {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly metrics: UserManagementMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  async register(input: { email: string; password: string; phone?: string }): Promise<RegisteredUser> {
    const email = input.email.toLowerCase();
    const passwordHash = await hashPassword(input.password);
    const userId = randomUUID();
    let createdAt: Date;
    try {
      createdAt = await this.database.transaction('register_user', async (tx) => {
        const { rows } = await tx.query<{ created_at: Date }>(
          'INSERT INTO users (id, email, password_hash, phone) VALUES ($1, $2, $3, $4) RETURNING created_at',
          [userId, email, passwordHash, input.phone ?? null],
        );
        const created = rows[0]!.created_at;
        const event: UserRegistered = { userId, email, registeredAt: created.toISOString(), ...(input.phone ? { phone: input.phone } : {}) };
        await this.outbox.enqueue(tx, EVENTS.userRegistered, event);
        return created;
      });
    } catch (error) {
      // The unique index on lower(email) settles two registrations of one address racing each other.
      if (pgErrorCode(error) === PG_ERRORS.uniqueViolation) throw new ConflictException('An account with this email already exists');
      throw error;
    }
    RequestContext.setUserId(userId);
    this.metrics.registrations.inc();
    this.logger.info({ log_type: 'user_activity', event_type: 'user_registered', user_id: userId, email }, 'user registered');
    return { userId, email, createdAt: createdAt.toISOString() };
  }

  async profile(userId: string): Promise<UserProfile> {
    const { rows } = await this.database.query<{ id: string; email: string; phone: string | null; role: UserRole; created_at: Date }>(
      'find_user_profile',
      'SELECT id, email, phone, role, created_at FROM users WHERE id = $1',
      [userId],
    );
    const user = rows[0];
    if (!user) throw new NotFoundException(`User ${userId} does not exist`);
    return { userId: user.id, email: user.email, phone: user.phone, role: user.role, createdAt: user.created_at.toISOString() };
  }
}
