/*
 * The benchmarks' OTLP/HTTP trace collector, run as its own process so that receiving spans costs the
 * load generator nothing: parsing every export in the harness's own process stalled its event loop for
 * milliseconds at a time, which the paced runs then counted as the services' latency. It counts spans
 * without parsing them, and the parent asks for the count over IPC.
 */
import { OtlpReceiver } from '@ai-finance/testing';

const receiver = new OtlpReceiver({ keepSpans: false, parse: false });

void receiver.start().then(() => process.send?.({ port: Number(new URL(receiver.endpoint).port) }));
process.on('message', (message: { type?: string }) => {
  if (message.type === 'count') process.send?.({ spans: receiver.spanCount, exportRequests: receiver.exportCount });
});
process.on('disconnect', () => process.exit(0));
