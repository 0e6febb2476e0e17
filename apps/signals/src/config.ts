import { ConfigurationError, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const SIGNALS_CONFIG = Symbol('SIGNALS_CONFIG');

export function loadSignalsConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      /** Ticks in the short moving average. */
      SIGNAL_SHORT_WINDOW: env.positiveInt(5),
      /** Ticks in the long moving average; also how many ticks per symbol are kept in memory and in price_history. */
      SIGNAL_LONG_WINDOW: env.positiveInt(20),
      /** Multiplies the relative gap between the averages into confidence above 0.5. */
      SIGNAL_CONFIDENCE_SCALE: z.coerce.number().positive().default(50),
      /** Ticks a symbol waits after a signal before it may signal again. */
      SIGNAL_COOLDOWN_TICKS: z.coerce.number().int().min(0).default(5),
      /** How long after a signal its prediction is scored against the price. */
      SIGNAL_HORIZON_SECONDS: z.coerce.number().positive().default(60),
      /** How often signal_accuracy_ratio is recomputed from PostgreSQL. */
      SIGNALS_METRICS_REFRESH_MS: env.positiveInt(15_000),
    },
    source,
  );
  if (values.SIGNAL_LONG_WINDOW <= values.SIGNAL_SHORT_WINDOW) {
    throw new ConfigurationError([
      `SIGNAL_LONG_WINDOW: must be greater than SIGNAL_SHORT_WINDOW (${values.SIGNAL_SHORT_WINDOW}) (got "${values.SIGNAL_LONG_WINDOW}")`,
    ]);
  }
  return {
    shortWindow: values.SIGNAL_SHORT_WINDOW,
    longWindow: values.SIGNAL_LONG_WINDOW,
    confidenceScale: values.SIGNAL_CONFIDENCE_SCALE,
    cooldownTicks: values.SIGNAL_COOLDOWN_TICKS,
    horizonSeconds: values.SIGNAL_HORIZON_SECONDS,
    metricsRefreshMs: values.SIGNALS_METRICS_REFRESH_MS,
  };
}

export type SignalsConfig = ReturnType<typeof loadSignalsConfig>;
