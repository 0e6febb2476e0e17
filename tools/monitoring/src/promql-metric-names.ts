/** Words of PromQL that look like metric names but are operators or modifiers. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'atan2', 'inf', 'nan']);

/**
 * The metric names an expression selects, e.g. `http_server_request_duration_seconds_count` and
 * `slo:objective:ratio`. A lexical scan, not a parser: it drops strings, label matchers, ranges and
 * grouping lists, then keeps each identifier that is not called like a function and is not a keyword.
 * Prometheus itself checks that the expression parses; this only has to find the names in one that does.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#[^\n]*/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const before = bare[(match.index ?? 0) - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue; // the unit of a duration or an exponent: 5m, 1e3
    const after = bare.slice((match.index ?? 0) + match[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}
