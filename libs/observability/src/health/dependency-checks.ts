import type { HealthCheck } from './health-registry';

/*
 * Checks for the dependencies the platform uses. They take the client the service already has
 * (structural types, so this library never loads pg, ioredis or amqplib itself).
 */

export function postgresCheck(pool: { query(sql: string): Promise<unknown> }): HealthCheck {
  return () => pool.query('SELECT 1');
}

export function redisCheck(client: { status: string; ping(): Promise<unknown> }): HealthCheck {
  return async () => {
    // ioredis queues commands while reconnecting; a ping would wait instead of failing.
    if (client.status !== 'ready') throw new Error(`redis connection is ${client.status}`);
    await client.ping();
  };
}

export function rabbitmqCheck(broker: { isConnected(): boolean }): HealthCheck {
  return () => {
    if (!broker.isConnected()) throw new Error('rabbitmq connection is down');
  };
}
