import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { createServer, type Server } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '../context/request-id';
import { toErrorBody } from '../errors/http-error.filter';

/** The endpoints for monitoring and operators, never for the public: metrics, health and fault switches. */
const MANAGEMENT_PATH = /^\/(?:metrics|health|admin)(?:[/?]|$)/;

/**
 * With a management port, the operational endpoints answer only there and everything else only on the
 * main port: a service whose main port is public (api-gateway) then shows nobody outside its metrics
 * (which name offending client addresses), its dependencies' health or its fault switches. Both ports
 * are served by the same Fastify instance, so hooks, logs and metrics are the same on either.
 */
export function separateManagementEndpoints(fastify: FastifyInstance, managementPort: number): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const viaManagementPort = request.raw.socket?.localPort === managementPort;
    // The matched route, not the raw URL: `/%6Detrics` is routed to /metrics too.
    const route = request.routeOptions.url ?? request.url;
    if (MANAGEMENT_PATH.test(route) === viaManagementPort) return done();
    const path = request.url.split('?')[0];
    const body = toErrorBody(new NotFoundException(`Cannot ${request.method} ${path}`), requestIdFrom(request.headers[REQUEST_ID_HEADER]));
    void reply.code(404).header('content-type', 'application/json; charset=utf-8').send(body);
  });
}

/** Serves the management port with the service's own Fastify request handler. */
export async function listenForManagement(fastify: FastifyInstance, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => fastify.routing(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Stops accepting connections and ends the idle ones; requests under way finish. */
export function closeManagementServer(server: Server): Promise<void> {
  server.closeIdleConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
