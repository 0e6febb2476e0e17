import { requestContextOf, RequestContext } from '@ai-finance/observability';
import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** risk said no: the order was recorded as rejected, and the caller learns why. */
export class OrderRejected extends Error {
  constructor(
    readonly orderId: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * 422 in the shared error shape plus `reason` and `orderId`: the library's filter keeps only
 * statusCode, error, message, request_id and details, and a client needs the machine-readable reason.
 */
@Catch(OrderRejected)
export class OrderRejectedFilter implements ExceptionFilter {
  catch(rejection: OrderRejected, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    void reply
      .status(HttpStatus.UNPROCESSABLE_ENTITY)
      .header('content-type', 'application/json; charset=utf-8')
      .send({
        statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
        error: 'Unprocessable Entity',
        message: rejection.message,
        request_id: requestContextOf(request)?.requestId ?? RequestContext.current()?.requestId,
        reason: rejection.reason,
        orderId: rejection.orderId,
      });
  }
}
