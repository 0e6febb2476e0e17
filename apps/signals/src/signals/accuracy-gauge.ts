import { RefreshedGauges, SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import { SIGNALS_CONFIG, type SignalsConfig } from '../config';
import { ACCURACY_GAUGE_WINDOWS, SIGNALS_METRICS, type SignalsMetrics } from '../metrics';
import { SignalHistory } from './signal-history';

/**
 * Keeps signal_accuracy_ratio{window="1h"|"24h"} up to date from PostgreSQL: once at start, then every
 * SIGNALS_METRICS_REFRESH_MS. A window without any evaluated signal has no series at all (neither NaN
 * nor a made-up 0). A failed refresh logs a warning and leaves the previous values.
 */
@Injectable()
export class AccuracyGauge extends RefreshedGauges {
  constructor(
    private readonly history: SignalHistory,
    @Inject(SIGNALS_CONFIG) config: SignalsConfig,
    @Inject(SIGNALS_METRICS) private readonly metrics: SignalsMetrics,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
  ) {
    super({
      intervalMs: config.metricsRefreshMs,
      failureMessage: 'could not refresh signal_accuracy_ratio; it keeps its previous values',
      logger,
    });
  }

  protected async recompute(): Promise<void> {
    for (const { window, evaluated, correct } of await this.history.accuracy(ACCURACY_GAUGE_WINDOWS)) {
      if (evaluated === 0) this.metrics.accuracy.remove({ window });
      else this.metrics.accuracy.set({ window }, correct / evaluated);
    }
  }
}
