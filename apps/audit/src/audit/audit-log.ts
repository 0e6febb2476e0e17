import type { Database, Transaction } from '@ai-finance/database';
import { EVENTS } from '@ai-finance/contracts';
import type { ServiceLogger } from '@ai-finance/observability';
import type { AuditConfig } from '../config';
import type { AuditMetrics } from '../metrics';
import { canonicalJson, chainHash, GENESIS_HASH } from './chain';

/** An event as handed to the log: its AMQP message id, routing key, body and time. */
export interface IncomingEvent {
  eventId: string;
  eventType: string;
  payload: unknown;
  /** AMQP `timestamp` property (Unix seconds), when the publisher set it. */
  messageTimestampSeconds?: number;
}

export interface AuditEntry {
  sequence: number;
  eventId: string;
  eventType: string;
  payload: unknown;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export interface VerificationReport {
  valid: boolean;
  checkedEvents: number;
  lastSequence: number;
  lastHash: string;
  firstInvalid: null | { sequence: number; reason: string };
}

interface AuditRow {
  sequence: string;
  event_id: string;
  event_type: string;
  payload_canonical: string;
  occurred_at: Date;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

interface HeadRow {
  last_sequence: string;
  last_hash: string;
}

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EVENTS).filter((key) => key !== EVENTS.marketTickPrefix));
/** Event ids and types go into the hashed text between newlines: printable, bounded. */
const PRINTABLE = /^[\x21-\x7e]{1,200}$/;
/** Payload fields that say when the business event happened, in order of preference. */
const TIME_FIELDS = ['occurredAt', 'executedAt', 'generatedAt', 'evaluatedAt', 'registeredAt'] as const;

/**
 * The append-only, hash-chained audit log. Appends lock the chain head row, so every consumer and
 * instance extends one chain; verification re-computes every hash from a consistent snapshot.
 */
export class AuditLog {
  constructor(
    private readonly database: Database,
    private readonly config: AuditConfig,
    private readonly metrics: AuditMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  /**
   * Appends `event` inside `tx` (the consumer's transaction, which also records the message id).
   * Returns the new sequence, or undefined when the event id was already in the log.
   */
  async append(tx: Transaction, event: IncomingEvent): Promise<number | undefined> {
    if (!PRINTABLE.test(event.eventId)) throw new Error('event id must be 1 to 200 printable ASCII characters to be chained');
    if (!PRINTABLE.test(event.eventType)) throw new Error('event type must be 1 to 200 printable ASCII characters to be chained');
    const payloadCanonical = canonicalJson(event.payload);
    const recordedAt = new Date();
    const occurredAt = occurredAtOf(event, recordedAt);

    // The row lock on the head serialises appends: the next sequence and prev_hash are read under it.
    const { rows } = await tx.query<HeadRow>('SELECT last_sequence, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE');
    const head = rows[0];
    if (!head) throw new Error('audit_chain_head has no row; the migration did not run');
    const sequence = Number(head.last_sequence) + 1;
    const prevHash = head.last_hash;
    const hash = chainHash({ prevHash, sequence, eventId: event.eventId, eventType: event.eventType, payloadCanonical, recordedAt: recordedAt.toISOString() });

    const inserted = await tx.query(
      `INSERT INTO audit_log (sequence, event_id, event_type, payload_canonical, occurred_at, recorded_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING`,
      [sequence, event.eventId, event.eventType, payloadCanonical, occurredAt, recordedAt, prevHash, hash],
    );
    if (inserted.rowCount === 0) {
      this.logger.info({ log_type: 'audit', event_id: event.eventId, event_type: event.eventType }, 'event already in the audit log; not chained again');
      return undefined;
    }
    await tx.query('UPDATE audit_chain_head SET last_sequence = $1, last_hash = $2, updated_at = now() WHERE id = 1', [sequence, hash]);

    tx.afterCommit(() => {
      this.metrics.eventsRecorded.inc({ event_type: KNOWN_EVENT_TYPES.has(event.eventType) ? event.eventType : 'other' });
      this.observeHead(sequence, recordedAt.getTime() / 1000);
      this.logger.info(
        { log_type: 'audit', event_id: event.eventId, event_type: event.eventType, sequence, hash },
        `recorded ${event.eventType} in the audit log`,
      );
    });
    return sequence;
  }

  /** Events after `afterSequence`, in chain order. */
  async list(limit: number, afterSequence: number): Promise<AuditEntry[]> {
    const { rows } = await this.database.query<AuditRow>(
      'list_audit_events',
      `SELECT sequence, event_id, event_type, payload_canonical, occurred_at, recorded_at, prev_hash, hash
       FROM audit_log WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
      [afterSequence, limit],
    );
    return rows.map((row) => ({
      sequence: Number(row.sequence),
      eventId: row.event_id,
      eventType: row.event_type,
      payload: JSON.parse(row.payload_canonical) as unknown,
      occurredAt: row.occurred_at.toISOString(),
      recordedAt: row.recorded_at.toISOString(),
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }

  /**
   * Walks the whole chain in batches by sequence, inside one repeatable-read snapshot so that
   * concurrent appends neither hide rows nor move the head under the check, and reports the first
   * row that breaks it: a gap in the sequence, a prev_hash that is not the previous row's hash, a
   * hash that does not match the row's content, or a head that is not the last row.
   */
  async verify(): Promise<VerificationReport> {
    const report = await this.database.transaction('verify_audit_chain', async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const head = (await tx.query<HeadRow>('SELECT last_sequence, last_hash FROM audit_chain_head WHERE id = 1')).rows[0];
      let checked = 0;
      let lastSequence = 0;
      let lastHash = GENESIS_HASH;
      const result = (firstInvalid: VerificationReport['firstInvalid']): VerificationReport => ({
        valid: firstInvalid === null,
        checkedEvents: checked,
        lastSequence,
        lastHash,
        firstInvalid,
      });

      for (;;) {
        const { rows } = await tx.query<AuditRow>(
          `SELECT sequence, event_id, event_type, payload_canonical, occurred_at, recorded_at, prev_hash, hash
           FROM audit_log WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
          [lastSequence, this.config.verifyBatchSize],
        );
        for (const row of rows) {
          const sequence = Number(row.sequence);
          const expected = lastSequence + 1;
          checked += 1;
          if (sequence !== expected) {
            return result({ sequence: expected, reason: `sequence ${expected} is missing: the row after ${lastSequence} has sequence ${sequence}` });
          }
          if (row.prev_hash !== lastHash) {
            return result({ sequence, reason: `prev_hash does not match the hash of sequence ${lastSequence}` });
          }
          const recomputed = chainHash({
            prevHash: row.prev_hash,
            sequence,
            eventId: row.event_id,
            eventType: row.event_type,
            payloadCanonical: row.payload_canonical,
            recordedAt: row.recorded_at.toISOString(),
          });
          if (recomputed !== row.hash) {
            return result({ sequence, reason: 'hash mismatch: the stored hash does not match the row content' });
          }
          lastSequence = sequence;
          lastHash = row.hash;
        }
        if (rows.length < this.config.verifyBatchSize) break;
      }

      if (!head) return result({ sequence: lastSequence + 1, reason: 'the chain head row is missing' });
      const headSequence = Number(head.last_sequence);
      if (headSequence !== lastSequence || head.last_hash !== lastHash) {
        return result({
          sequence: Math.max(headSequence, lastSequence),
          reason: `head mismatch: the head is at sequence ${headSequence}, the last row is sequence ${lastSequence}${headSequence === lastSequence ? ' with another hash' : ''}`,
        });
      }
      return result(null);
    });

    this.metrics.verifications.inc({ result: report.valid ? 'valid' : 'invalid' });
    const fields = {
      log_type: 'audit',
      event_type: 'chain_verification',
      status: report.valid ? 'valid' : 'invalid',
      checked_events: report.checkedEvents,
      last_sequence: report.lastSequence,
      first_invalid_sequence: report.firstInvalid?.sequence,
      reason: report.firstInvalid?.reason,
    };
    if (report.valid) this.logger.info(fields, `audit chain verified: ${report.checkedEvents} events valid`);
    else this.logger.error(fields, `audit chain INVALID at sequence ${report.firstInvalid?.sequence}: ${report.firstInvalid?.reason}`);
    return report;
  }

  /** Re-reads the head for the gauges (periodically, and at start-up). */
  async refreshGauges(): Promise<void> {
    const { rows } = await this.database.query<{ last_sequence: string; last_recorded: Date | null }>(
      'read_audit_chain_head',
      `SELECT h.last_sequence, (SELECT recorded_at FROM audit_log WHERE sequence = h.last_sequence) AS last_recorded
       FROM audit_chain_head h WHERE h.id = 1`,
    );
    const row = rows[0];
    if (!row) return;
    this.observeHead(Number(row.last_sequence), row.last_recorded ? row.last_recorded.getTime() / 1000 : 0);
  }

  private highestSeen = 0;
  private latestRecordedSeconds = 0;

  /** Gauges only move forward: after-commit callbacks of concurrent appends may run out of order. */
  private observeHead(sequence: number, recordedSeconds: number): void {
    this.highestSeen = Math.max(this.highestSeen, sequence);
    this.latestRecordedSeconds = Math.max(this.latestRecordedSeconds, recordedSeconds);
    this.metrics.chainLength.set(this.highestSeen);
    this.metrics.lastEventTimestamp.set(this.latestRecordedSeconds);
  }
}

function occurredAtOf(event: IncomingEvent, fallback: Date): Date {
  if (event.payload && typeof event.payload === 'object') {
    const record = event.payload as Record<string, unknown>;
    for (const field of TIME_FIELDS) {
      const value = record[field];
      if (typeof value === 'string') {
        const time = new Date(value);
        if (!Number.isNaN(time.getTime())) return time;
      }
    }
  }
  if (event.messageTimestampSeconds !== undefined && Number.isFinite(event.messageTimestampSeconds) && event.messageTimestampSeconds > 0) {
    return new Date(event.messageTimestampSeconds * 1000);
  }
  return fallback;
}
