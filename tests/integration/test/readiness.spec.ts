import { freePort, ServiceProcess, TcpProxy, uniqueName, waitFor } from '@ai-finance/testing';

describe('market-data readiness while Redis comes and goes', () => {
  let proxy: TcpProxy;
  let marketData: ServiceProcess;

  beforeAll(async () => {
    proxy = new TcpProxy({ host: '127.0.0.1', port: 6379 }, await freePort());
    await proxy.start();
    marketData = new ServiceProcess('market-data', await freePort(), {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: `${uniqueName('it-ready')}:`,
      EVENTS_EXCHANGE: uniqueName('it-ready-events'),
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: 'warn',
    });
    await marketData.start();
  });

  afterAll(async () => {
    await marketData.stop();
    await proxy.stop();
  });

  const readiness = async () => {
    const response = await fetch(`${marketData.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { down: string[]; dependencies: Record<string, { status: string }> } };
  };

  it('answers 200 with every dependency up', async () => {
    const ready = await waitFor('readiness 200', async () => {
      const result = await readiness();
      return result.status === 200 ? result : undefined;
    });
    expect(ready.body.dependencies.redis.status).toBe('up');
    expect(ready.body.dependencies.rabbitmq.status).toBe('up');
  });

  it('answers 503 naming redis while Redis is unreachable, and 200 again once it is back, without a restart', async () => {
    await proxy.stop();
    const down = await waitFor('readiness 503', async () => {
      const result = await readiness();
      return result.status === 503 ? result : undefined;
    });
    expect(down.body.down).toEqual(['redis']);
    expect(down.body.dependencies.redis.status).toBe('down');
    // Liveness is about the process, not its dependencies.
    expect((await fetch(`${marketData.url}/health/live`)).status).toBe(200);

    await proxy.start();
    const back = await waitFor('readiness 200 after Redis returns', async () => {
      const result = await readiness();
      return result.status === 200 ? result : undefined;
    }, 30_000);
    expect(back.body.down).toEqual([]);
  });
});
