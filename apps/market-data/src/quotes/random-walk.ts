const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** A standard normal draw (Box-Muller). */
export function standardNormal(random: () => number = Math.random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * One step of geometric Brownian motion without drift, in integer cents. A log-normal step can
 * never cross zero, and the floor of one cent keeps rounding from doing so either.
 */
export function nextPriceCents(currentCents: number, annualVolatility: number, stepSeconds: number, shock: number): number {
  const dt = stepSeconds / SECONDS_PER_YEAR;
  const logReturn = -0.5 * annualVolatility ** 2 * dt + annualVolatility * Math.sqrt(dt) * shock;
  return Math.max(1, Math.round(currentCents * Math.exp(logReturn)));
}

/** Half the bid-ask spread: two basis points of the price, at least one cent. */
export function halfSpreadCents(priceCents: number): number {
  return Math.max(1, Math.round(priceCents * 0.0002));
}
