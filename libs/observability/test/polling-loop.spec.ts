import { waitFor } from '@ai-finance/testing';
import { PollingLoop, RequestContext } from '../src';

describe('PollingLoop', () => {
  it('runs a round at start, and at once when woken instead of waiting for the next poll', async () => {
    let rounds = 0;
    const loop = new PollingLoop(async () => {
      rounds += 1;
    }, 60_000);
    loop.start();
    await waitFor('the first round', () => (rounds === 1 ? true : undefined), 5_000, 5);
    loop.wake();
    await waitFor('the round the wake asked for', () => (rounds === 2 ? true : undefined), 5_000, 5);
    await loop.stop();
  });

  it('never runs two rounds at once, and runs one more after a round during which it was woken', async () => {
    let concurrent = 0;
    let most = 0;
    let rounds = 0;
    let release: () => void = () => undefined;
    const loop = new PollingLoop(async () => {
      concurrent += 1;
      most = Math.max(most, concurrent);
      rounds += 1;
      if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      concurrent -= 1;
    }, 60_000);
    loop.start();
    await waitFor('the first round to start', () => (rounds === 1 ? true : undefined), 5_000, 5);
    loop.wake();
    loop.wake();
    release();
    await waitFor('exactly one extra round', () => (rounds === 2 ? true : undefined), 5_000, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ rounds, most }).toEqual({ rounds: 2, most: 1 });
    await loop.stop();
  });

  it('stop() waits for the round under way and no round runs afterwards', async () => {
    let finished = false;
    let rounds = 0;
    const loop = new PollingLoop(async () => {
      rounds += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      finished = true;
    }, 1);
    loop.start();
    await waitFor('a round to start', () => (rounds >= 1 ? true : undefined), 5_000, 1);
    await loop.stop();
    expect(finished).toBe(true);
    expect(loop.running).toBe(false);
    const after = rounds;
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toBe(after);
  });

  it('runs rounds outside the request whose commit woke it', async () => {
    const seen: Array<string | undefined> = [];
    const loop = new PollingLoop(async () => {
      seen.push(RequestContext.current()?.requestId);
    }, 60_000);
    RequestContext.run({ requestId: 'request-that-started-it' }, () => loop.start());
    await waitFor('the first round', () => (seen.length === 1 ? true : undefined), 5_000, 5);
    RequestContext.run({ requestId: 'request-that-woke-it' }, () => loop.wake());
    await waitFor('the woken round', () => (seen.length === 2 ? true : undefined), 5_000, 5);
    await loop.stop();
    expect(seen).toEqual([undefined, undefined]);
  });
});
