import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CheckRequestDto } from './check-request.dto';
import { RiskChecks, type CheckResult } from './risk-checks.service';

/** Internal: trading calls it before every order; api-gateway does not expose it. */
@Controller('checks')
export class RiskChecksController {
  constructor(private readonly checks: RiskChecks) {}

  /** 200 for both outcomes: a rejection is a valid answer to the question, not a failed request. */
  @Post()
  @HttpCode(200)
  check(@Body() request: CheckRequestDto): Promise<CheckResult> {
    return this.checks.check(request);
  }
}
