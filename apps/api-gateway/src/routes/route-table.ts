import { BadRequestException } from '@nestjs/common';
import type { UpstreamName } from '../config';

/** Who may call a route: anyone, a signed-in user, or an operator. */
export type RouteAccess = 'public' | 'user' | 'operator';

export interface GatewayRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Public path under /api, as a Fastify template. */
  path: string;
  upstream: UpstreamName;
  /** Path at the upstream; `:name` parameters are filled from the public path's. */
  upstreamPath: string;
  access: RouteAccess;
  /** `feature_usage_total{feature}`: what the business calls this action. */
  feature: string;
  /** Counted against the stricter per-IP limit for credential endpoints. */
  credentialEndpoint?: boolean;
  /** A 401 from the upstream is a failed login, attributed to the client address. */
  loginEndpoint?: boolean;
}

/*
 * Everything the platform exposes, and nothing else: a path not listed here answers 404 at the
 * gateway, so internal endpoints (/metrics, /health/*, risk checks, alert webhooks, fault switches)
 * are never reachable from outside.
 */
export const ROUTES: readonly GatewayRoute[] = [
  { method: 'POST', path: '/api/users/register', upstream: 'user-management', upstreamPath: '/register', access: 'public', feature: 'users.register', credentialEndpoint: true },
  { method: 'POST', path: '/api/users/login', upstream: 'user-management', upstreamPath: '/login', access: 'public', feature: 'users.login', credentialEndpoint: true, loginEndpoint: true },
  { method: 'POST', path: '/api/users/refresh', upstream: 'user-management', upstreamPath: '/refresh', access: 'public', feature: 'users.refresh', credentialEndpoint: true },
  { method: 'POST', path: '/api/users/logout', upstream: 'user-management', upstreamPath: '/logout', access: 'user', feature: 'users.logout' },
  { method: 'GET', path: '/api/users/me', upstream: 'user-management', upstreamPath: '/me', access: 'user', feature: 'users.profile' },

  { method: 'GET', path: '/api/market/quotes', upstream: 'market-data', upstreamPath: '/quotes', access: 'public', feature: 'market.quotes' },
  { method: 'GET', path: '/api/market/quotes/:symbol', upstream: 'market-data', upstreamPath: '/quotes/:symbol', access: 'public', feature: 'market.quote' },

  { method: 'POST', path: '/api/payments', upstream: 'payment', upstreamPath: '/payments', access: 'user', feature: 'payments.pay' },
  { method: 'GET', path: '/api/payments', upstream: 'payment', upstreamPath: '/payments', access: 'user', feature: 'payments.history' },
  { method: 'GET', path: '/api/payments/ledger/balances', upstream: 'payment', upstreamPath: '/payments/ledger/balances', access: 'operator', feature: 'payments.ledger' },
  { method: 'GET', path: '/api/payments/:paymentId', upstream: 'payment', upstreamPath: '/payments/:paymentId', access: 'user', feature: 'payments.read' },

  { method: 'POST', path: '/api/trading/orders', upstream: 'trading', upstreamPath: '/orders', access: 'user', feature: 'trading.place_order' },
  { method: 'GET', path: '/api/trading/orders', upstream: 'trading', upstreamPath: '/orders', access: 'user', feature: 'trading.orders' },
  { method: 'GET', path: '/api/trading/orders/:orderId', upstream: 'trading', upstreamPath: '/orders/:orderId', access: 'user', feature: 'trading.order' },
  { method: 'DELETE', path: '/api/trading/orders/:orderId', upstream: 'trading', upstreamPath: '/orders/:orderId', access: 'user', feature: 'trading.cancel_order' },
  { method: 'GET', path: '/api/trading/trades', upstream: 'trading', upstreamPath: '/trades', access: 'user', feature: 'trading.trades' },

  { method: 'GET', path: '/api/portfolio', upstream: 'portfolio', upstreamPath: '/portfolio', access: 'user', feature: 'portfolio.overview' },
  { method: 'GET', path: '/api/portfolio/positions/:symbol', upstream: 'portfolio', upstreamPath: '/portfolio/positions/:symbol', access: 'user', feature: 'portfolio.position' },

  { method: 'GET', path: '/api/signals', upstream: 'signals', upstreamPath: '/signals', access: 'user', feature: 'signals.list' },
  { method: 'GET', path: '/api/signals/accuracy', upstream: 'signals', upstreamPath: '/signals/accuracy', access: 'user', feature: 'signals.accuracy' },

  { method: 'GET', path: '/api/risk/limits', upstream: 'risk', upstreamPath: '/limits', access: 'user', feature: 'risk.limits' },

  { method: 'GET', path: '/api/notifications', upstream: 'notification', upstreamPath: '/notifications', access: 'user', feature: 'notifications.list' },

  { method: 'GET', path: '/api/audit/verify', upstream: 'audit', upstreamPath: '/audit/verify', access: 'operator', feature: 'audit.verify' },
  { method: 'GET', path: '/api/audit/events', upstream: 'audit', upstreamPath: '/audit/events', access: 'operator', feature: 'audit.events' },
];

/**
 * The upstream path for `route` with the request's parameters and query string. A parameter that is
 * "." or ".." (Fastify has already decoded `%2e`) is refused: encodeURIComponent leaves dots alone, so
 * it would reach the upstream as a dot segment that climbs out of the route (`/orders/..` is `/`).
 */
export function upstreamPathFor(route: GatewayRoute, params: Record<string, string>, url: string): string {
  const path = route.upstreamPath.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name] ?? '';
    if (value === '.' || value === '..') throw new BadRequestException(`path parameter "${name}" must not be "." or ".."`);
    return encodeURIComponent(value);
  });
  const query = url.indexOf('?');
  return query === -1 ? path : path + url.slice(query);
}
