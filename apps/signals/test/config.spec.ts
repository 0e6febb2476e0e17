import { ConfigurationError } from '@ai-finance/observability';
import { loadSignalsConfig } from '../src/config';

describe('signals configuration', () => {
  it('uses the documented defaults: windows 5 and 20, scale 50, cooldown 5 ticks, horizon 60 s, refresh 15 s', () => {
    expect(loadSignalsConfig({})).toEqual({
      shortWindow: 5,
      longWindow: 20,
      confidenceScale: 50,
      cooldownTicks: 5,
      horizonSeconds: 60,
      metricsRefreshMs: 15_000,
    });
  });

  it('refuses a long window that is not longer than the short one, naming SIGNAL_LONG_WINDOW', () => {
    expect(() => loadSignalsConfig({ SIGNAL_SHORT_WINDOW: '5', SIGNAL_LONG_WINDOW: '5' })).toThrow(ConfigurationError);
    expect(() => loadSignalsConfig({ SIGNAL_SHORT_WINDOW: '5', SIGNAL_LONG_WINDOW: '5' })).toThrow(/SIGNAL_LONG_WINDOW: must be greater than SIGNAL_SHORT_WINDOW/);
  });

  it('refuses a non-numeric or non-positive value, naming the variable', () => {
    expect(() => loadSignalsConfig({ SIGNAL_HORIZON_SECONDS: '0' })).toThrow(/SIGNAL_HORIZON_SECONDS/);
    expect(() => loadSignalsConfig({ SIGNAL_COOLDOWN_TICKS: 'soon' })).toThrow(/SIGNAL_COOLDOWN_TICKS/);
  });
});
