// The whole public surface of @ai-finance/database.
export { loadDatabaseConfig, type DatabaseConfig } from './database-config';
export { Database, PG_ERRORS, pgErrorCode, type Transaction } from './database';
export { DatabaseUnavailableError, isDatabaseUnavailable } from './database-unavailable';
export { ensureDatabase, runMigrations, type Migration } from './migrations';
export { DATABASE_CONFIG, DatabaseModule, type DatabaseModuleOptions } from './database.module';
