/*
 * Headers the gateway sets for the services behind it, after it verified the caller's token. The
 * gateway removes any incoming value of these first, so a client can never choose them.
 */
export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLE_HEADER = 'x-user-role';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export type UserRole = 'user' | 'operator';
export const USER_ROLES: readonly UserRole[] = ['user', 'operator'];
