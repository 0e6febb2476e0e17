import { waitFor } from '@ai-finance/testing';
import * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** What the platform accepted, as clients were told, and where to look for it. */
export interface ReconciliationInput {
  databaseUrl: string;
  rabbitmqUrl: string;
  deadLetterQueues: readonly string[];
  auditUrl: string;
  acceptedPaymentIds: ReadonlySet<string>;
  acceptedOrderIds: ReadonlySet<string>;
}

export interface Reconciliation {
  /** Each broken invariant, in words; empty when the books agree. */
  problems: string[];
  counts: { payments: number; orders: number; trades: number; auditEvents: number };
}

/**
 * Each check is a query returning the rows that break one invariant between the ledger, the orders,
 * the positions and the audit log, so a failure names the very payment or trade that is wrong.
 */
const CHECKS: Array<{ invariant: string; sql: string }> = [
  {
    invariant: 'a succeeded payment has exactly one ledger entry, any other payment none',
    sql: `SELECT p.id FROM payment.payments p LEFT JOIN payment.ledger_entries e ON e.payment_id = p.id
           GROUP BY p.id, p.status HAVING count(e.id) <> CASE WHEN p.status = 'succeeded' THEN 1 ELSE 0 END`,
  },
  {
    invariant: 'every ledger entry balances and belongs to a payment',
    sql: `SELECT e.id FROM payment.ledger_entries e LEFT JOIN payment.payments p ON p.id = e.payment_id
           LEFT JOIN payment.ledger_lines l ON l.entry_id = e.id
           GROUP BY e.id, p.id HAVING p.id IS NULL
              OR sum(CASE WHEN l.direction = 'debit' THEN l.amount ELSE -l.amount END) <> 0 OR count(l.id) = 0`,
  },
  {
    invariant: 'every payment is in the audit log exactly once, under its outcome',
    sql: `SELECT p.id FROM payment.payments p LEFT JOIN audit.audit_log a
             ON a.event_type IN ('payment.succeeded', 'payment.failed') AND a.payload_canonical::jsonb ->> 'paymentId' = p.id::text
           GROUP BY p.id, p.status
          HAVING count(a.sequence) <> 1 OR bool_or(a.event_type <> CASE WHEN p.status = 'succeeded' THEN 'payment.succeeded' ELSE 'payment.failed' END)`,
  },
  {
    invariant: 'every audited payment exists',
    sql: `SELECT a.event_id FROM audit.audit_log a LEFT JOIN payment.payments p ON p.id::text = a.payload_canonical::jsonb ->> 'paymentId'
           WHERE a.event_type IN ('payment.succeeded', 'payment.failed') AND p.id IS NULL`,
  },
  {
    invariant: 'a filled order has exactly one trade, any other order none',
    sql: `SELECT o.id FROM trading.orders o LEFT JOIN trading.trades t ON t.order_id = o.id
           GROUP BY o.id, o.status HAVING count(t.id) <> CASE WHEN o.status = 'filled' THEN 1 ELSE 0 END`,
  },
  {
    invariant: 'every trade is in the portfolio exactly once, with its quantity',
    sql: `SELECT t.id FROM trading.trades t LEFT JOIN portfolio.trades p ON p.trade_id = t.id::text
           GROUP BY t.id, t.quantity HAVING count(p.trade_id) <> 1 OR bool_or(p.quantity <> t.quantity)`,
  },
  {
    invariant: 'every trade is in the audit log exactly once',
    sql: `SELECT t.id FROM trading.trades t LEFT JOIN audit.audit_log a
             ON a.event_type = 'trade.executed' AND a.payload_canonical::jsonb ->> 'tradeId' = t.id::text
           GROUP BY t.id HAVING count(a.sequence) <> 1`,
  },
  {
    invariant: 'every trade in the portfolio or the audit log exists in trading',
    sql: `SELECT trade_id FROM (
             SELECT p.trade_id FROM portfolio.trades p
             UNION ALL SELECT a.payload_canonical::jsonb ->> 'tradeId' FROM audit.audit_log a WHERE a.event_type = 'trade.executed'
           ) seen LEFT JOIN trading.trades t ON t.id::text = seen.trade_id WHERE t.id IS NULL`,
  },
  {
    invariant: 'an order that rested or was refused by risk is in the audit log exactly once',
    sql: `SELECT o.id FROM trading.orders o LEFT JOIN audit.audit_log a
             ON a.event_type IN ('order.placed', 'order.rejected') AND a.payload_canonical::jsonb ->> 'orderId' = o.id::text
           WHERE o.status IN ('open', 'rejected') GROUP BY o.id HAVING count(a.sequence) <> 1`,
  },
  {
    invariant: "each position's quantity is the sum of its trades",
    sql: `SELECT coalesce(p.user_id, t.user_id)::text || ' ' || coalesce(p.symbol, t.symbol) FROM portfolio.positions p
           FULL JOIN (SELECT user_id, symbol, sum(CASE WHEN side = 'buy' THEN quantity ELSE -quantity END) AS quantity
                        FROM trading.trades GROUP BY user_id, symbol) t ON t.user_id = p.user_id AND t.symbol = p.symbol
           WHERE coalesce(p.quantity, 0) <> coalesce(t.quantity, 0)`,
  },
];

/** Every event has reached its consumers: nothing left in any outbox. */
async function undeliveredEvents(client: Client): Promise<number> {
  const outboxes = await client.query<{ table_schema: string }>(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox'`);
  let total = 0;
  for (const { table_schema: schema } of outboxes.rows) {
    total += Number((await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.outbox`)).rows[0].count);
  }
  return total;
}

async function problemsIn(client: Client, input: ReconciliationInput): Promise<string[]> {
  const problems: string[] = [];
  for (const check of CHECKS) {
    const broken = (await client.query<Record<string, unknown>>(check.sql)).rows.map((row) => String(Object.values(row)[0]));
    if (broken.length > 0) problems.push(`${check.invariant}: broken for ${broken.length} (${broken.slice(0, 3).join(', ')})`);
  }
  const missing = async (ids: ReadonlySet<string>, table: string): Promise<string[]> => {
    const found = await client.query<{ id: string }>(`SELECT id::text FROM ${table} WHERE id = ANY($1::uuid[])`, [[...ids]]);
    const present = new Set(found.rows.map((row) => row.id));
    return [...ids].filter((id) => !present.has(id));
  };
  const lostPayments = await missing(input.acceptedPaymentIds, 'payment.payments');
  if (lostPayments.length > 0) problems.push(`payments answered 2xx but not recorded: ${lostPayments.length} (${lostPayments.slice(0, 3).join(', ')})`);
  const lostOrders = await missing(input.acceptedOrderIds, 'trading.orders');
  if (lostOrders.length > 0) problems.push(`orders answered 2xx but not recorded: ${lostOrders.length} (${lostOrders.slice(0, 3).join(', ')})`);
  const undelivered = await undeliveredEvents(client);
  if (undelivered > 0) problems.push(`${undelivered} events still in an outbox`);
  return problems;
}

async function deadLettered(rabbitmqUrl: string, queues: readonly string[]): Promise<string[]> {
  const connection = await amqp.connect(rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    const found: string[] = [];
    for (const queue of queues) {
      const { messageCount } = await channel.checkQueue(queue);
      if (messageCount > 0) found.push(`${messageCount} in ${queue}`);
    }
    return found;
  } finally {
    await connection.close();
  }
}

async function auditChainProblem(auditUrl: string): Promise<string | undefined> {
  const response = await fetch(`${auditUrl}/audit/verify`, { headers: { 'x-user-role': 'operator', 'x-user-id': randomUUID() } });
  const report = (await response.json()) as { valid?: boolean; firstInvalid?: { reason: string } | null };
  if (response.status !== 200) return `audit verification answered ${response.status}`;
  return report.valid ? undefined : `the audit chain does not verify: ${report.firstInvalid?.reason ?? 'no reason given'}`;
}

/**
 * Waits until every event has been delivered and the books agree (consumers catch up after a fault),
 * then reports what still disagrees: nothing missing, nothing duplicated, the audit chain intact.
 */
export async function reconcile(input: ReconciliationInput, settleWithinMs = 60_000): Promise<Reconciliation> {
  const client = new Client({ connectionString: input.databaseUrl });
  await client.connect();
  try {
    let problems: string[] = [];
    await waitFor('the books to agree', async () => {
      problems = await problemsIn(client, input);
      return problems.length === 0 ? true : undefined;
    }, settleWithinMs, 1_000).catch(() => undefined);
    const deadLetters = await deadLettered(input.rabbitmqUrl, input.deadLetterQueues);
    if (deadLetters.length > 0) problems.push(`dead-lettered events: ${deadLetters.join(', ')}`);
    const chain = await auditChainProblem(input.auditUrl);
    if (chain) problems.push(chain);
    const count = async (sql: string): Promise<number> => Number((await client.query<{ count: string }>(sql)).rows[0].count);
    return {
      problems,
      counts: {
        payments: await count('SELECT count(*) FROM payment.payments'),
        orders: await count('SELECT count(*) FROM trading.orders'),
        trades: await count('SELECT count(*) FROM trading.trades'),
        auditEvents: await count('SELECT count(*) FROM audit.audit_log'),
      },
    };
  } finally {
    await client.end();
  }
}
