import { metricNamesIn } from '../src/promql-metric-names';

describe('metricNamesIn', () => {
  it('finds selectors with matchers, ranges and recording-rule names', () => {
    expect(metricNamesIn('sum(rate(http_server_request_duration_seconds_count{service="payment",status_code=~"5.."}[5m])) / slo:objective:ratio')).toEqual([
      'http_server_request_duration_seconds_count',
      'slo:objective:ratio',
    ]);
  });

  it('ignores functions, aggregations with grouping, keywords, durations and numbers', () => {
    const expr = [
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="trading"}[10m]))',
      '  and on () sum(rate(http_server_request_duration_seconds_count[10m] offset 5m)) * 600 >= 60) > bool 1e3',
      'or vector(0) unless ignoring(instance) group_left(job) up == 0',
    ].join('\n');
    expect(metricNamesIn(expr).sort()).toEqual(['http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_count', 'up']);
  });

  it('does not take label names, label values or strings for metrics', () => {
    expect(metricNamesIn('label_replace(node_cpu_seconds_total{mode!="idle"}, "core", "$1", "cpu", "(.*)") > 0')).toEqual(['node_cpu_seconds_total']);
    expect(metricNamesIn('max without (instance, pod) (time() - market_data_last_tick_timestamp_seconds)')).toEqual(['market_data_last_tick_timestamp_seconds']);
  });

  it('finds nothing in an expression without a selector', () => {
    expect(metricNamesIn('vector(1)')).toEqual([]);
    expect(metricNamesIn('{__name__=~"http_.*"}')).toEqual([]);
  });
});
