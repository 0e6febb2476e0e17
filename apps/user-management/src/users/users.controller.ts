import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { CallerId } from '@ai-finance/observability';
import { UserAccounts, type RegisteredUser, type UserProfile } from './user-accounts';

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class RegisterRequest {
  @Transform(lowerCase)
  @IsString({ message: 'email must be a string' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @IsString({ message: 'password must be a string' })
  @Length(12, 128, { message: 'password must be 12 to 128 characters long' })
  password!: string;

  @IsOptional()
  @IsString({ message: 'phone must be a string' })
  @Matches(E164_PATTERN, { message: 'phone must be an E.164 number such as +15551234567' })
  phone?: string;
}

@Controller()
export class UsersController {
  constructor(@Inject(UserAccounts) private readonly accounts: UserAccounts) {}

  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  register(@Body() body: RegisterRequest): Promise<RegisteredUser> {
    return this.accounts.register(body);
  }

  @Get('me')
  me(@CallerId() userId: string): Promise<UserProfile> {
    return this.accounts.profile(userId);
  }
}
