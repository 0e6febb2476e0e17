// The whole public surface of @ai-finance/contracts: what services share without sharing code.
export * from './events';
export * from './http-headers';
export * from './access-token';
export * from './decimal-strings';
