import { createServiceLogger } from '../src/logging/service-logger';
import { LogCapture } from './log-capture';

describe('the service logger', () => {
  it('names an error by its class under `error` and `err`, after redaction made it a plain object', () => {
    const capture = new LogCapture();
    const logger = createServiceLogger({ serviceName: 'payment', level: 'info', destination: capture });
    logger.error({ log_type: 'error', error: new TypeError('amount is not a number') }, 'charge failed');
    logger.error({ err: new RangeError('too big') }, 'charge failed');
    logger.error(new SyntaxError('bad json'));
    const [first, second, third] = capture.records as Array<Record<string, { type: string; message: string }>>;
    expect({ type: first.error.type, message: first.error.message }).toEqual({ type: 'TypeError', message: 'amount is not a number' });
    expect(second.err.type).toBe('RangeError');
    expect(third.error.type).toBe('SyntaxError');
  });
});
