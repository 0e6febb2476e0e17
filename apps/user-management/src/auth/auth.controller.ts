import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerId } from '@ai-finance/observability';
import { AccountLockedException, Authentication } from './authentication';
import { REFRESH_TOKEN_PATTERN, type TokenPair } from './tokens';

export class LoginRequest {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsString({ message: 'email must be a string' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @IsString({ message: 'password must be a string' })
  @Length(1, 128, { message: 'password must be 1 to 128 characters long' })
  password!: string;
}

export class RefreshTokenRequest {
  @IsString({ message: 'refreshToken must be a string' })
  @Matches(REFRESH_TOKEN_PATTERN, { message: 'refreshToken must be the 43-character token returned by /login or /refresh' })
  refreshToken!: string;
}

@Controller()
export class AuthController {
  constructor(@Inject(Authentication) private readonly authentication: Authentication) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  async login(@Body() body: LoginRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenPair> {
    try {
      return await this.authentication.login(body.email, body.password, request.ip);
    } catch (error) {
      if (error instanceof AccountLockedException) void reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  refresh(@Body() body: RefreshTokenRequest, @Req() request: FastifyRequest): Promise<TokenPair> {
    return this.authentication.refresh(body.refreshToken, request.ip);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@CallerId() userId: string, @Body() body: RefreshTokenRequest): Promise<void> {
    await this.authentication.logout(body.refreshToken, userId);
  }
}
