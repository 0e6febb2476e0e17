/*
 * The benchmarks' OTLP/HTTP trace collector, run as its own process so that receiving spans costs the
 * load generator nothing: parsing every export in the harness's own process stalled its event loop for
 * milliseconds at a time, which the paced runs then counted as the services' latency. It answers
 * POST /v1/traces (JSON, as our library and the stock SDK send it) and counts spans without parsing:
 * every span has exactly one `"spanId"` key. The parent asks for the count over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const SPAN_ID_KEY = Buffer.from('"spanId"');
let spans = 0;
let exportRequests = 0;

function countSpans(body: Buffer): number {
  let count = 0;
  for (let at = body.indexOf(SPAN_ID_KEY); at !== -1; at = body.indexOf(SPAN_ID_KEY, at + SPAN_ID_KEY.length)) count++;
  return count;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    spans += countSpans(Buffer.concat(chunks));
    exportRequests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message: { type?: string }) => {
  if (message.type === 'count') process.send?.({ spans, exportRequests });
});
process.on('disconnect', () => process.exit(0));
