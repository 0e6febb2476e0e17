import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { registerDefaultMetrics } from './default-metrics';
import { ExpositionWriter } from './exposition';

/** Latency buckets in seconds; they include every threshold of the SLO table (50 ms to 5 s). */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

export const PROMETHEUS_TEXT_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

type Declaration<C> = Omit<C, 'registers'>;

/**
 * One registry per service. Every series carries `service`, so a single Prometheus job can scrape
 * all ten services and the SLO rules can aggregate by service.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly exposition: ExpositionWriter;

  constructor(readonly serviceName: string, options: { defaultMetrics?: boolean } = {}) {
    const defaultLabels = { service: serviceName };
    this.registry.setDefaultLabels(defaultLabels);
    this.exposition = new ExpositionWriter(this.registry, defaultLabels);
    if (options.defaultMetrics !== false) {
      registerDefaultMetrics(this.registry);
      removeMisnamedDefaultGauges(this);
    }
  }

  counter<L extends string = string>(config: Declaration<CounterConfiguration<L>>): Counter<L> {
    return this.existing<Counter<L>>(config.name) ?? new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string = string>(config: Declaration<GaugeConfiguration<L>>): Gauge<L> {
    return this.existing<Gauge<L>>(config.name) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string = string>(config: Declaration<HistogramConfiguration<L>>): Histogram<L> {
    const found = this.existing<Histogram<L>>(config.name);
    if (found) return found;
    if (!config.enableExemplars) return new Histogram({ ...config, registers: [this.registry] });
    // prom-client refuses exemplars on a plain-text registry, yet one registry must serve both formats:
    // register by hand and let the OpenMetrics renderer print the exemplars.
    const histogram = new Histogram({ ...config, registers: [] });
    this.registry.registerMetric(histogram);
    return histogram;
  }

  /** Serves the format the scraper asked for: OpenMetrics (with exemplars) or the classic text format. */
  async render(acceptHeader: string | undefined): Promise<{ contentType: string; body: Buffer }> {
    if (acceptHeader?.includes('application/openmetrics-text')) {
      return { contentType: OPENMETRICS_CONTENT_TYPE, body: await this.exposition.render('openmetrics') };
    }
    return { contentType: PROMETHEUS_TEXT_CONTENT_TYPE, body: await this.exposition.render('text') };
  }

  private existing<M>(name: string): M | undefined {
    // Declaring the same metric twice (e.g. two modules of one service) returns the first one.
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}

/**
 * prom-client also exports three gauges named `*_total`, a suffix Prometheus reserves for counters
 * (promtool warns). The same numbers stay available, correctly named, as nodejs_active_handles,
 * nodejs_active_requests and nodejs_active_resources (by type).
 */
function removeMisnamedDefaultGauges(metrics: ServiceMetrics): void {
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    metrics.registry.removeSingleMetric(name);
  }
}
