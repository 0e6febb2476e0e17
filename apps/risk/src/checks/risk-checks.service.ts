import { Database } from '@ai-finance/database';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { RISK_CONFIG, type RiskConfig } from '../config';
import { RISK_METRICS, type RiskMetrics } from '../metrics';
import { RiskState } from '../positions/risk-state';
import type { CheckRequestDto } from './check-request.dto';
import { evaluateOrder, type RejectionReason } from './risk-rules';

export type CheckResult = { approved: true; checkId: string } | { approved: false; checkId: string; reason: RejectionReason; message: string };

/** Decides a proposed order against the user's state and records the decision in `risk_checks`. */
@Injectable()
export class RiskChecks {
  constructor(
    private readonly database: Database,
    private readonly state: RiskState,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
    @Inject(RISK_METRICS) private readonly metrics: RiskMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async check(request: CheckRequestDto): Promise<CheckResult> {
    const stopTimer = this.metrics.checkDuration.startTimer();
    const userId = request.userId.toLowerCase();
    const quantity = new Decimal(request.quantity);
    const price = new Decimal(request.price);
    const snapshot = await this.state.snapshot(userId);
    const held = snapshot.positions.find((position) => position.symbol === request.symbol)?.quantity ?? new Decimal(0);
    const decision = evaluateOrder(
      { symbol: request.symbol, side: request.side, quantity, price },
      { exposure: snapshot.exposure, buyingPower: snapshot.buyingPower, heldQuantity: held },
      this.config,
    );
    const checkId = randomUUID();
    const reason = decision.approved ? null : decision.reason;
    await this.database.query(
      'insert_risk_check',
      `INSERT INTO risk_checks (id, user_id, symbol, side, quantity, price, notional, approved, reason, exposure_before, buying_power_before)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        checkId,
        userId,
        request.symbol,
        request.side,
        request.quantity,
        request.price,
        decision.notional.toFixed(),
        decision.approved,
        reason,
        snapshot.exposure.toFixed(),
        snapshot.buyingPower.toFixed(),
      ],
    );
    stopTimer();
    this.metrics.checks.inc({ outcome: decision.approved ? 'approved' : 'rejected', reason: reason ?? 'none' });
    if (decision.approved) return { approved: true, checkId };

    this.logger.info(
      {
        log_type: 'risk_check',
        check_id: checkId,
        user_id: userId,
        symbol: request.symbol,
        side: request.side,
        quantity: request.quantity,
        price: request.price,
        notional: decision.notional.toFixed(2),
        status: 'rejected',
        reason: decision.reason,
      },
      decision.message,
    );
    return { approved: false, checkId, reason: decision.reason, message: decision.message };
  }
}
