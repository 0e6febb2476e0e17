import { loadTradingConfig } from '../src/config';
import { ExecutionLatency } from '../src/execution/execution-latency';

describe('ExecutionLatency', () => {
  const latency = () => new ExecutionLatency(loadTradingConfig({ TRADING_EXECUTION_LATENCY_MS: '40' }));

  it('waits the configured TRADING_EXECUTION_LATENCY_MS plus what the trading-latency fault adds, and exactly the configured latency once the addition is 0 again', () => {
    const execution = latency();
    expect(execution.delayMs).toBe(40);
    execution.setAdded(300);
    expect(execution.delayMs).toBe(340);
    execution.setAdded(1_000);
    expect(execution.delayMs).toBe(1_040);
    execution.setAdded(0);
    expect(execution.delayMs).toBe(40);
  });

  it('refuses an addition that is negative, fractional or above 60000 ms', () => {
    const execution = latency();
    for (const addedMs of [-1, 2.5, 60_001]) expect(() => execution.setAdded(addedMs)).toThrow(`added execution latency must be 0 to 60000 ms, got ${addedMs}`);
    expect(execution.delayMs).toBe(40);
  });
});
