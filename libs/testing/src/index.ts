// Test helpers shared by the workspace's integration tests.
export { freePort, uniqueName, waitFor } from './ports';
export { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
export { ServiceProcess, type LogLine } from './service-process';
export { TcpProxy } from './tcp-proxy';
export { promtoolCheckMetrics } from './promtool';
export { deleteRedisKeys } from './cleanup';
export { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from './test-database';
export { captureEvents, createRabbitNamespace, EventCapture, TEST_RABBITMQ_URL, type CapturedEvent, type TestRabbitNamespace } from './test-rabbitmq';
export { fetchMetrics, sampleValue, scrapeMetrics } from './metrics-reader';
export { serviceEnv, TestEnv } from './test-env';
export { startNestApp, type StartNestAppOptions } from './nest-app';
export { openEventPublisher, type EventPublisher } from './event-publisher';
export { errorThrownBy } from './errors';
export { Platform, SERVICES, type PlatformOptions, type ServiceName } from './platform';
export { NativeProgram, PrometheusServer } from './native-program';
export { runStartMonitoring, START_MONITORING_SCRIPT, type ScriptRun } from './start-monitoring';
export { LocalStackRun } from './local-stack-run';
export { seededRandom } from './seeded-random';
