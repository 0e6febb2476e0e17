import { MONEY_PATTERN, QUANTITY_PATTERN } from '@ai-finance/contracts';
import { parseSteps } from '../src/money';
import type { Quote } from '../src/quote-board';
import { BUDGET_SHARE, quantityDecimalsFor, TradingAccount, type OrderBody } from '../src/trading-account';
import { seededRandom } from '@ai-finance/testing';

/** market-data's default instruments (MARKET_INSTRUMENTS), with a spread of about 0.04 %. */
const PRICES_CENTS: Record<string, number> = { AAPL: 18950, MSFT: 41520, 'BTC-USD': 6725000, 'ETH-USD': 348000, SPY: 56540, NVDA: 12180 };
const quoteOf = (symbol: string, midCents = PRICES_CENTS[symbol]!): Quote => ({ symbol, bidCents: midCents - Math.ceil(midCents * 0.0002), askCents: midCents + Math.ceil(midCents * 0.0002), receivedAtMs: 0 });

interface Trade {
  symbol: string;
  side: 'buy' | 'sell';
  steps: number;
  decimals: number;
  notionalCents: number;
}

/**
 * risk as the account meets it: fills reach it later (when `consume` is called), it checks orders
 * against what it has consumed, and answers GET /limits from that.
 */
class LaggingRisk {
  readonly pending: Trade[] = [];
  private readonly held = new Map<string, { steps: number; decimals: number }>();
  private cashCents = 0;
  readonly initialCents = 10_000_000;

  /** risk's rules for one order at `priceCents`: per-order notional, position for sells, buying power for buys. */
  check(order: OrderBody, priceCents: number): string | undefined {
    const decimals = quantityDecimalsFor(priceCents);
    const steps = parseSteps(order.quantity, this.held.get(order.symbol)?.decimals ?? decimals)!;
    const notional = (steps * priceCents) / 10 ** (this.held.get(order.symbol)?.decimals ?? decimals);
    if (notional > 5_000_000) return 'order_notional_limit';
    if (order.side === 'sell' && steps > (this.held.get(order.symbol)?.steps ?? 0)) return 'insufficient_position';
    if (order.side === 'buy' && notional > this.initialCents + this.cashCents) return 'buying_power';
    return undefined;
  }

  consume(count: number): void {
    for (const trade of this.pending.splice(0, count)) {
      const position = this.held.get(trade.symbol) ?? { steps: 0, decimals: trade.decimals };
      position.steps += trade.side === 'buy' ? trade.steps : -trade.steps;
      this.held.set(trade.symbol, position);
      this.cashCents += trade.side === 'buy' ? -trade.notionalCents : trade.notionalCents;
    }
  }

  limitsBody() {
    const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const quantity = ({ steps, decimals }: { steps: number; decimals: number }) => String(steps / 10 ** decimals);
    return {
      maxOrderNotional: '50000.00',
      maxExposure: '250000.00',
      initialBuyingPower: money(this.initialCents),
      buyingPower: money(this.initialCents + this.cashCents),
      exposure: '0.00',
      positions: [...this.held].filter(([, position]) => position.steps !== 0).map(([symbol, position]) => ({ symbol, quantity: quantity(position) })),
    };
  }
}

/** trading's answer to an order at `quote`: filled at the quote when marketable, else resting. */
function answerTo(order: OrderBody, quote: Quote, orderId: string) {
  const priceCents = order.side === 'buy' ? quote.askCents : quote.bidCents;
  const limitCents = order.limitPrice === undefined ? undefined : Math.round(Number(order.limitPrice) * 100);
  const marketable = limitCents === undefined || (order.side === 'buy' ? limitCents >= quote.askCents : limitCents <= quote.bidCents);
  const decimals = quantityDecimalsFor(quote.askCents);
  const steps = parseSteps(order.quantity, decimals)!;
  const notionalCents = Math.round((steps * priceCents) / 10 ** decimals);
  const notional = `${Math.floor(notionalCents / 100)}.${String(notionalCents % 100).padStart(2, '0')}`;
  return marketable
    ? { body: { orderId, status: 'filled', trade: { notional } }, trade: { symbol: order.symbol, side: order.side, steps, decimals, notionalCents } as Trade, priceCents }
    : { body: { orderId, status: 'open', trade: null }, trade: undefined, priceCents: limitCents! };
}

describe('a simulated user\'s orders', () => {
  it('are valid for trading: decimal-string quantities and limit prices, a limit price only on limit orders', () => {
    const account = new TradingAccount(seededRandom(1));
    const bodies: OrderBody[] = [];
    for (let i = 0; i < 300; i += 1) {
      const intent = account.chooseIntent(Object.keys(PRICES_CENTS));
      if (!intent) break;
      const planned = account.planOrder(intent, quoteOf(intent.symbol));
      if (planned) bodies.push(planned.body);
      if (planned) account.recordPlaced(planned, 422, {}, i);
    }
    expect(bodies.length).toBe(300);
    const invalid = bodies.filter(
      (body) =>
        !QUANTITY_PATTERN.test(body.quantity) ||
        !/[1-9]/.test(body.quantity) ||
        (body.type === 'limit') !== (body.limitPrice !== undefined) ||
        (body.limitPrice !== undefined && (!MONEY_PATTERN.test(body.limitPrice) || !/[1-9]/.test(body.limitPrice))),
    );
    expect(invalid).toEqual([]);
    expect(new Set(bodies.map((body) => body.type))).toEqual(new Set(['market', 'limit']));
    expect(bodies.find((body) => body.symbol === 'BTC-USD')?.quantity).toMatch(/^0\.\d{1,3}$/);
  });

  it('sell only what risk has been seen to count, so risk approves every order even while it lags behind the fills', () => {
    const random = seededRandom(42);
    const account = new TradingAccount(random);
    const risk = new LaggingRisk();
    const resting = new Map<string, OrderBody>();
    const filledUnseen: Array<Record<string, unknown>> = [];
    const rejections: string[] = [];
    let sells = 0;
    let orders = 0;

    for (let step = 0; step < 3_000; step += 1) {
      const nowMs = step * 100;
      const choice = random();
      if (choice < 0.45) {
        const intent = account.chooseIntent(Object.keys(PRICES_CENTS));
        if (!intent) continue;
        // Prices wander ±2 % so that limit orders rest and fill later.
        const quote = quoteOf(intent.symbol, Math.round(PRICES_CENTS[intent.symbol]! * (0.98 + 0.04 * random())));
        const planned = account.planOrder(intent, quote);
        if (!planned) continue;
        orders += 1;
        const orderId = `order-${step}`;
        const answer = answerTo(planned.body, quote, orderId);
        const refusal = risk.check(planned.body, answer.priceCents);
        if (refusal) {
          rejections.push(`${planned.body.side} ${planned.body.quantity} ${planned.body.symbol}: ${refusal}`);
          account.recordPlaced(planned, 422, { status: 'rejected' }, nowMs);
          continue;
        }
        if (planned.body.side === 'sell') sells += 1;
        if (answer.trade) risk.pending.push(answer.trade);
        else resting.set(orderId, planned.body);
        account.recordPlaced(planned, 201, answer.body, nowMs);
      } else if (choice < 0.55 && resting.size > 0) {
        // A tick fills a resting order at its limit; the user finds out only when it looks at its orders.
        const [orderId, order] = [...resting][0]!;
        resting.delete(orderId);
        const limitCents = Math.round(Number(order.limitPrice) * 100);
        const filled = answerTo({ ...order, type: 'market', limitPrice: undefined }, { symbol: order.symbol, bidCents: limitCents, askCents: limitCents, receivedAtMs: 0 }, orderId);
        risk.pending.push(filled.trade!);
        filledUnseen.push(filled.body);
      } else if (choice < 0.65) {
        for (const order of filledUnseen.splice(0)) account.recordOrderState(order, nowMs);
      } else if (choice < 0.85) {
        risk.consume(Math.floor(random() * 3));
      } else {
        const checkpoint = account.riskCheckpoint(nowMs);
        account.confirmWithRisk(checkpoint, risk.limitsBody());
      }
      expect(account.invested).toBeLessThanOrEqual(Math.floor(10_000_000 * BUDGET_SHARE) + 1);
    }

    expect(rejections).toEqual([]);
    expect(orders).toBeGreaterThan(500);
    expect(sells).toBeGreaterThan(100);
  });

  it('keeps bought quantities unsellable while risk\'s limits do not match the fills the user knows of', () => {
    const account = new TradingAccount(seededRandom(3));
    const quote = quoteOf('AAPL');
    const planned = account.planOrder({ side: 'buy', symbol: 'AAPL' }, quote)!;
    const steps = planned.steps;
    const notionalCents = steps * quote.askCents;
    const notional = `${Math.floor(notionalCents / 100)}.${String(notionalCents % 100).padStart(2, '0')}`;
    account.recordPlaced(planned, 201, { orderId: 'o-1', status: 'filled', trade: { notional } }, 1_000);

    const lagging = { maxOrderNotional: '50000.00', maxExposure: '250000.00', initialBuyingPower: '100000.00', buyingPower: '100000.00', positions: [] };
    account.confirmWithRisk(account.riskCheckpoint(2_000), lagging);
    expect(account.settledSteps('AAPL')).toBe(0);
    expect(account.chooseIntent(['AAPL'])?.side).toBe('buy');

    const remainingCents = 10_000_000 - notionalCents;
    const caughtUp = { ...lagging, buyingPower: `${Math.floor(remainingCents / 100)}.${String(remainingCents % 100).padStart(2, '0')}`, positions: [{ symbol: 'AAPL', quantity: String(steps) }] };
    // A view asked for before the fill was known proves nothing about the fill.
    account.confirmWithRisk({ takenAtMs: 500, cashCents: 0, netSteps: new Map() }, caughtUp);
    expect(account.settledSteps('AAPL')).toBe(0);
    account.confirmWithRisk(account.riskCheckpoint(3_000), caughtUp);
    expect(account.settledSteps('AAPL')).toBe(steps);
  });

  it('stays within the buy budget, a fifth of the smaller of buying power and exposure limit', () => {
    const account = new TradingAccount(seededRandom(9));
    account.confirmWithRisk(account.riskCheckpoint(0), { maxOrderNotional: '1000.00', maxExposure: '20000.00', initialBuyingPower: '100000.00', buyingPower: '100000.00', positions: [] });
    expect(account.budgetCents).toBe(400_000);
    const notionals: number[] = [];
    for (let intent = account.chooseIntent(['AAPL', 'MSFT']); intent; intent = account.chooseIntent(['AAPL', 'MSFT'])) {
      const quote = quoteOf(intent.symbol);
      const planned = account.planOrder(intent, quote);
      if (!planned) break;
      notionals.push(planned.steps * quote.askCents);
      account.recordPlaced(planned, 201, { orderId: `o-${notionals.length}`, status: 'open' }, 0);
    }
    expect(notionals.reduce((sum, cents) => sum + cents, 0)).toBeLessThanOrEqual(400_000);
    expect(Math.max(...notionals)).toBeLessThanOrEqual(50_000);
  });
});
