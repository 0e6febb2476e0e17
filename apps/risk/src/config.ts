import { MONEY_PATTERN } from '@ai-finance/contracts';
import { loadEnv } from '@ai-finance/observability';
import Decimal from 'decimal.js';
import { z } from 'zod';

export const RISK_CONFIG = Symbol('RISK_CONFIG');

/** A positive USD amount with at most two decimals, kept as a Decimal: limits are money, never floats. */
const usdLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => MONEY_PATTERN.test(value) && new Decimal(value).gt(0), 'must be a positive amount with at most two decimals, e.g. "50000" or "1234.50"')
    .transform((value) => new Decimal(value));

export function loadRiskConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      /** Largest notional (quantity × price) of one order. */
      RISK_MAX_ORDER_NOTIONAL: usdLimit('50000'),
      /** Largest gross exposure (Σ |quantity| × last trade price) a user may reach with a buy. */
      RISK_MAX_EXPOSURE: usdLimit('250000'),
      /** Cash every user starts with; buys spend it, sells return their proceeds. */
      RISK_INITIAL_BUYING_POWER: usdLimit('100000'),
    },
    source,
  );
  return {
    maxOrderNotional: values.RISK_MAX_ORDER_NOTIONAL,
    maxExposure: values.RISK_MAX_EXPOSURE,
    initialBuyingPower: values.RISK_INITIAL_BUYING_POWER,
  };
}

export type RiskConfig = ReturnType<typeof loadRiskConfig>;
