/** `/api/market/quotes/AAPL?x=1` with prefix `/api/market` → `/quotes/AAPL?x=1`. */
export function upstreamPath(prefix: string, url: string): string {
  const next = url.charAt(prefix.length);
  if (!url.startsWith(prefix) || (next !== '' && next !== '/' && next !== '?')) {
    throw new Error(`${url} is not under ${prefix}`);
  }
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
