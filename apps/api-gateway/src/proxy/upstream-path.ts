/** `/api/market/quotes/AAPL?x=1` with prefix `/api/market` → `/quotes/AAPL?x=1`. */
export function upstreamPath(prefix: string, url: string): string {
  if (!url.startsWith(prefix)) throw new Error(`${url} is not under ${prefix}`);
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
