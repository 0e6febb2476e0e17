import { ACTION_GROUPS, weightedPicker, type ActionGroup, type MixAction } from './action-mix';
import type { Quote, QuoteBoard } from './quote-board';
import type { SimulatedUser } from './simulated-user';

/*
 * What each action sends. Every body and query is one the services accept (see docs/api/*.md); an
 * action that needs something the user does not have yet (a payment to look up, a position, an open
 * order) does the nearest thing a person would do instead, in the same group.
 */

export interface ActionContext {
  user: SimulatedUser;
  quotes: QuoteBoard;
  random: () => number;
}

/** An order is priced from a quote at most this old; an older one is read again first. */
const QUOTE_MAX_AGE_MS = 5_000;
/** Subscription prices per plan and currency. */
const PLAN_PRICES = {
  basic: { USD: '9.99', EUR: '8.99', GBP: '7.99' },
  pro: { USD: '49.99', EUR: '45.99', GBP: '39.99' },
  enterprise: { USD: '199.00', EUR: '179.00', GBP: '159.00' },
} as const;
const pickPlan = weightedPicker({ basic: 50, pro: 40, enterprise: 10 });
const pickCurrency = weightedPicker({ USD: 70, EUR: 20, GBP: 10 });
const pickMethod = weightedPicker({ card: 70, wallet: 20, bank_transfer: 10 });
/** Payments remembered per user for look-ups. */
const REMEMBERED_PAYMENTS = 20;

const now = () => performance.now();
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const ordersOf = (body: unknown): unknown[] => {
  const orders = (body as { orders?: unknown } | undefined)?.orders;
  return Array.isArray(orders) ? orders : [];
};

/** Each group's draw of an action by its fixed shares. */
const ACTION_PICKERS: Record<ActionGroup, (random: () => number) => MixAction> = {
  quotes: weightedPicker(ACTION_GROUPS.quotes.actions),
  orders: weightedPicker(ACTION_GROUPS.orders.actions),
  trades: weightedPicker(ACTION_GROUPS.trades.actions),
  payments: weightedPicker(ACTION_GROUPS.payments.actions),
  portfolio: weightedPicker(ACTION_GROUPS.portfolio.actions),
  signals: weightedPicker(ACTION_GROUPS.signals.actions),
  account: weightedPicker(ACTION_GROUPS.account.actions),
};

/** One arrival of `group`: an action drawn by the group's fixed shares. */
export function performGroupAction(group: ActionGroup, context: ActionContext): Promise<unknown> {
  const action = ACTION_PICKERS[group](context.random);
  return ACTIONS[action](context);
}

async function readQuoteList({ user, quotes }: ActionContext): Promise<void> {
  const answer = await user.callPublic('market.quotes', '/api/market/quotes');
  if (answer?.status === 200) quotes.updateAll(answer.body, answer.receivedAtMs);
}

async function readQuote({ user, quotes }: ActionContext, symbol: string): Promise<Quote | undefined> {
  const answer = await user.callPublic('market.quote', `/api/market/quotes/${encodeURIComponent(symbol)}`);
  if (answer?.status === 200) quotes.update(answer.body, answer.receivedAtMs);
  return quotes.get(symbol);
}

async function readOneQuote(context: ActionContext): Promise<void> {
  const symbols = context.quotes.symbols();
  if (symbols.length === 0) return readQuoteList(context);
  await readQuote(context, pick(symbols, context.random));
}

async function placeOrder(context: ActionContext): Promise<void> {
  const { user, quotes } = context;
  if (quotes.symbols().length === 0) await readQuoteList(context);
  // The order ticket shows what risk says the user holds; the user reads it when it has bought but cannot sell yet.
  if (user.account.wantsRiskView(now())) await user.readRiskLimits();
  const intent = user.account.chooseIntent(quotes.symbols());
  // Budget spent and nothing settled to sell: the person looks at the orders still open instead.
  if (!intent) return readOneOrder(context);
  const cached = quotes.get(intent.symbol);
  const quote = cached && now() - cached.receivedAtMs <= QUOTE_MAX_AGE_MS ? cached : await readQuote(context, intent.symbol);
  if (!quote) return;
  const planned = user.account.planOrder(intent, quote);
  if (!planned) return readOneOrder(context);
  const answer = await user.call('trading.place_order', 'POST', '/api/trading/orders', { body: planned.body });
  user.account.recordPlaced(planned, answer?.status, answer?.body, now());
}

async function listOrders({ user, random }: ActionContext): Promise<void> {
  const query = random() < 0.3 ? '?status=open&limit=20' : '?limit=20';
  const answer = await user.call('trading.orders', 'GET', `/api/trading/orders${query}`);
  if (answer?.status === 200) for (const order of ordersOf(answer.body)) user.account.recordOrderState(order, now());
}

async function readOneOrder(context: ActionContext): Promise<void> {
  const open = context.user.account.openOrderIds();
  if (open.length === 0) return listOrders(context);
  const answer = await context.user.call('trading.order', 'GET', `/api/trading/orders/${pick(open, context.random)}`);
  if (answer?.status === 200) context.user.account.recordOrderState(answer.body, now());
}

async function paySubscription({ user, random }: ActionContext): Promise<void> {
  const plan = pickPlan(random);
  const currency = pickCurrency(random);
  const body = { amount: PLAN_PRICES[plan][currency], currency, method: pickMethod(random), plan };
  const answer = await user.call('payments.pay', 'POST', '/api/payments', { body, headers: { 'idempotency-key': user.nextIdempotencyKey() } });
  // 201 and 402 (declined) both carry the payment's id: a declined payment is recorded too.
  const paymentId = (answer?.body as { paymentId?: unknown } | undefined)?.paymentId;
  if (typeof paymentId === 'string') {
    user.paymentIds.push(paymentId);
    if (user.paymentIds.length > REMEMBERED_PAYMENTS) user.paymentIds.shift();
  }
}

async function readPaymentHistory({ user }: ActionContext): Promise<void> {
  await user.call('payments.history', 'GET', '/api/payments?limit=10');
}

async function readOnePayment(context: ActionContext): Promise<void> {
  const { user, random } = context;
  if (user.paymentIds.length === 0) return readPaymentHistory(context);
  await user.call('payments.read', 'GET', `/api/payments/${pick(user.paymentIds, random)}`);
}

async function readPortfolio({ user }: ActionContext): Promise<void> {
  const answer = await user.call('portfolio.overview', 'GET', '/api/portfolio');
  if (answer?.status === 200) user.account.notePortfolio(answer.body);
}

async function readOnePosition(context: ActionContext): Promise<void> {
  const symbols = context.user.account.positionSymbols();
  if (symbols.length === 0) return readPortfolio(context);
  await context.user.call('portfolio.position', 'GET', `/api/portfolio/positions/${encodeURIComponent(pick(symbols, context.random))}`);
}

async function readSignals({ user, quotes, random }: ActionContext): Promise<void> {
  const symbols = quotes.symbols();
  const query = symbols.length > 0 && random() < 0.5 ? `?symbol=${encodeURIComponent(pick(symbols, random))}&limit=20` : '?limit=20';
  await user.call('signals.list', 'GET', `/api/signals${query}`);
}

async function readSignalAccuracy({ user, random }: ActionContext): Promise<void> {
  await user.call('signals.accuracy', 'GET', `/api/signals/accuracy?window=${pick(['1h', '24h', '7d'], random)}`);
}

async function readRiskLimits({ user }: ActionContext): Promise<void> {
  await user.readRiskLimits();
}

async function readNotifications({ user }: ActionContext): Promise<void> {
  await user.call('notifications.list', 'GET', '/api/notifications?limit=20');
}

async function readProfile({ user }: ActionContext): Promise<void> {
  await user.call('users.profile', 'GET', '/api/users/me');
}

const ACTIONS: Record<MixAction, (context: ActionContext) => Promise<void>> = {
  'market.quotes': readQuoteList,
  'market.quote': readOneQuote,
  'trading.place_order': placeOrder,
  'trading.orders': listOrders,
  'trading.trades': async ({ user }) => void (await user.call('trading.trades', 'GET', '/api/trading/trades?limit=20')),
  'trading.order': readOneOrder,
  'payments.pay': paySubscription,
  'payments.history': readPaymentHistory,
  'payments.read': readOnePayment,
  'portfolio.overview': readPortfolio,
  'portfolio.position': readOnePosition,
  'signals.list': readSignals,
  'signals.accuracy': readSignalAccuracy,
  'risk.limits': readRiskLimits,
  'notifications.list': readNotifications,
  'users.profile': readProfile,
};
