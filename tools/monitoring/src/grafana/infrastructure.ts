import { dashboard } from './dashboard';
import type { Dashboard } from './model';
import { alertLine, bars, query, stat, steps, timeseries, upDown, type PanelOptions, type PanelSpec } from './panels';
import { max, min, quantile, ratio, series, sum, sumRate } from './promql';

/*
 * infrastructure-overview: hosts (node_exporter), containers (cAdvisor), the services' processes and
 * PostgreSQL pools, PostgreSQL (postgres_exporter), Redis (redis_exporter), RabbitMQ (its Prometheus
 * plugin) and the network. Exporter metrics are those of monitoring/prometheus/exporter-metrics.yml.
 * Thresholds are those of rules/infrastructure.yml.
 */

/** Filesystems that are not disks (as in HostDiskSpaceLow). */
const DISKS = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs"';
/** Physical and bridge interfaces, not loopback or the containers' virtual ends. */
const INTERFACES = 'device!~"lo|veth.+"';
/** Containers started by compose: its service name is our `service` label. */
const COMPOSE = 'container_label_com_docker_compose_service!=""';
const COMPOSE_SERVICE = 'container_label_com_docker_compose_service';

const USAGE: PanelOptions = { unit: 'percentunit', min: 0, max: 1, thresholds: steps('green', [0.85, 'red']) };
const usage = (title: string, queries: ReturnType<typeof query>[], description?: string): PanelSpec =>
  timeseries(title, queries, { ...USAGE, description, thresholdLines: true, w: 8 });

const hostPanels = (): PanelSpec[] => [
  usage('Host CPU', [query(`1 - avg by (instance) (${sumRate('node_cpu_seconds_total', 'mode="idle"', ['instance', 'cpu'])})`, '{{instance}}')], 'HostHighCpuUsage fires above 85% for 10 minutes.'),
  usage('Host memory', [query(`1 - ${ratio('node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes')}`, '{{instance}}')], 'HostHighMemoryUsage fires above 85%.'),
  bars('Disk used', [query(`1 - ${ratio(series('node_filesystem_avail_bytes', DISKS), series('node_filesystem_size_bytes', DISKS))}`, '{{instance}} {{mountpoint}}')], {
    ...USAGE,
    description: 'HostDiskSpaceLow fires below 15% free.',
  }),
];

const networkPanels = (): PanelSpec[] => [
  timeseries('Network traffic', [
    query(sumRate('node_network_receive_bytes_total', INTERFACES, ['instance', 'device']), 'in {{instance}} {{device}}'),
    query(`-${sumRate('node_network_transmit_bytes_total', INTERFACES, ['instance', 'device'])}`, 'out {{instance}} {{device}}'),
  ], { description: 'Received above the axis, sent below.', unit: 'Bps', w: 8 }),
  timeseries('Network errors', [
    query(sumRate('node_network_receive_errs_total', INTERFACES, ['instance', 'device']), 'in {{instance}} {{device}}'),
    query(sumRate('node_network_transmit_errs_total', INTERFACES, ['instance', 'device']), 'out {{instance}} {{device}}'),
  ], { unit: 'pps', w: 8 }),
  timeseries('TCP connections in use', [query(max('node_sockstat_TCP_inuse', ['instance']), '{{instance}}')], { w: 8 }),
];

const containerPanels = (): PanelSpec[] => {
  const byService = [COMPOSE_SERVICE];
  const legend = `{{${COMPOSE_SERVICE}}}`;
  const cpuLimit = sum(`${series('container_spec_cpu_quota', COMPOSE)} / ${series('container_spec_cpu_period', COMPOSE)} > 0`, byService);
  const cpu = sumRate('container_cpu_usage_seconds_total', COMPOSE, byService);
  const memory = sum(series('container_memory_working_set_bytes', COMPOSE), byService);
  const memoryLimit = sum(`${series('container_spec_memory_limit_bytes', COMPOSE)} > 0`, byService);
  return [
    timeseries('Container CPU (cores)', [query(cpu, legend)], { w: 12 }),
    timeseries('Container memory (working set)', [query(memory, legend)], { unit: 'bytes', w: 12 }),
    usage('Container CPU of its limit', [query(ratio(cpu, cpuLimit), legend)], 'ContainerHighCpuUsage fires above 85%. Containers without a CPU limit are not shown.'),
    usage('Container memory of its limit', [query(ratio(memory, memoryLimit), legend)], 'ContainerHighMemoryUsage fires above 85%: the OOM killer acts at 100%.'),
  ];
};

const processPanels = (): PanelSpec[] => [
  timeseries('Service CPU', [query(sumRate('process_cpu_seconds_total', '', ['service']), '{{service}}')], { description: '1 is one core.', unit: 'percentunit', w: 8 }),
  timeseries('Service resident memory', [query(sum('process_resident_memory_bytes', ['service']), '{{service}}')], { unit: 'bytes', w: 8 }),
  timeseries('Service event-loop lag p99', [query(max('nodejs_eventloop_lag_p99_seconds', ['service']), '{{service}}')], {
    unit: 's',
    ...alertLine(0.2),
    w: 8,
  }),
];

const postgresPanels = (): PanelSpec[] => [
  stat('PostgreSQL', [query(min('pg_up'), 'up')], { mappings: upDown(), thresholds: steps('red', [1, 'green']), w: 4, h: 8 }),
  usage('Server connections of max_connections', [query(ratio(sum('pg_stat_activity_count', ['instance']), sum('pg_settings_max_connections', ['instance'])), '{{instance}}')], 'PostgresqlTooManyConnections fires above 85%.'),
  timeseries('Transactions per second', [
    query(sumRate('pg_stat_database_xact_commit', 'datname!~"template.*"', ['datname']), 'commit {{datname}}'),
    query(sumRate('pg_stat_database_xact_rollback', 'datname!~"template.*"', ['datname']), 'rollback {{datname}}'),
  ], { w: 6 }),
  timeseries('Deadlocks per second', [query(sumRate('pg_stat_database_deadlocks', 'datname!~"template.*"', ['datname']), '{{datname}}')], { w: 6 }),
  usage(
    'Service pool demand',
    [query(ratio(sum(series('db_pool_connections', 'state=~"active|waiting"'), ['service']), sum('db_pool_max_connections', ['service'])), '{{service}}')],
    '(active + waiting) / DATABASE_POOL_MAX per service; above 1, requests wait for a connection.',
  ),
  timeseries('Service query time p95', [query(quantile(0.95, 'db_query_duration_seconds', '', ['service']), '{{service}}')], {
    unit: 's',
    ...alertLine(0.5),
    w: 8,
  }),
  timeseries('Service query errors per second', [query(sumRate('db_query_duration_seconds_count', 'outcome="error"', ['service']), '{{service}}')], { w: 8 }),
];

const redisPanels = (): PanelSpec[] => [
  stat('Redis', [query(min('redis_up'), 'up')], { mappings: upDown(), thresholds: steps('red', [1, 'green']), w: 4, h: 8 }),
  usage('Redis memory of maxmemory', [query(ratio(max('redis_memory_used_bytes', ['instance']), max('redis_memory_max_bytes', ['instance'])), '{{instance}}')], 'RedisMemoryHigh fires above 90%; no line while maxmemory is unlimited.'),
  timeseries('Redis commands per second', [query(sumRate('redis_commands_processed_total', '', ['instance']), '{{instance}}')], { w: 6 }),
  timeseries('Redis clients', [
    query(max('redis_connected_clients', ['instance']), 'connected {{instance}}'),
    query(sumRate('redis_rejected_connections_total', '', ['instance']), 'rejected/s {{instance}}'),
  ], { w: 6 }),
];

const rabbitmqPanels = (): PanelSpec[] => [
  stat('RabbitMQ nodes scraped', [query('count(rabbitmq_identity_info)')], { description: 'RabbitmqDown fires when there is none.', thresholds: steps('red', [1, 'green']), w: 4, h: 8 }),
  bars('Messages ready by queue', [query(`sort_desc(${sum(series('rabbitmq_queue_messages_ready', 'queue!~"amq\\\\..*"'), ['queue'])})`, '{{queue}}')], {
    description: 'RabbitmqQueueBacklog fires above 1000 ready messages for 10 minutes.',
    thresholds: steps('green', [1000, 'red']),
    w: 10,
    h: 8,
  }),
  bars('Dead-letter queues', [query(sum(series('rabbitmq_queue_messages', 'queue=~".+\\\\.dead-letter"'), ['queue']), '{{queue}}')], {
    description: 'Messages that kept failing; RabbitmqDeadLetterMessages fires on any.',
    thresholds: steps('green', [1, 'red']),
    w: 10,
    h: 8,
  }),
  usage('RabbitMQ memory of its watermark', [query(ratio(max('rabbitmq_process_resident_memory_bytes', ['instance']), max('rabbitmq_resident_memory_limit_bytes', ['instance'])), '{{instance}}')], 'At 100% the broker blocks publishers; RabbitmqMemoryHigh fires above 90%.'),
  timeseries('Messages published and consumed by services', [
    query(sumRate('messages_published_total', '', ['service']), 'published {{service}}'),
    query(`-${sumRate('messages_consumed_total', '', ['service'])}`, 'consumed {{service}}'),
  ], { description: 'Published above the axis, consumed below.', w: 8 }),
  timeseries('Oldest outbox message by service', [query(max('outbox_oldest_message_age_seconds', ['service']), '{{service}}')], {
    description: 'OutboxBacklog fires above 120 s: RabbitMQ is away or refusing.',
    unit: 's',
    ...alertLine(120),
    w: 8,
  }),
];

export function infrastructureDashboard(): Dashboard {
  return dashboard({
    uid: 'infrastructure-overview',
    title: 'Infrastructure overview',
    description: 'Hosts, containers, service processes, PostgreSQL, Redis, RabbitMQ and the network.',
    tags: ['infrastructure'],
    sections: [
      { title: 'Hosts', panels: hostPanels() },
      { title: 'Containers', panels: containerPanels() },
      { title: 'Service processes', panels: processPanels() },
      { title: 'PostgreSQL and connection pools', panels: postgresPanels() },
      { title: 'Redis', panels: redisPanels() },
      { title: 'RabbitMQ and messaging', panels: rabbitmqPanels() },
      { title: 'Network', panels: networkPanels() },
    ],
  });
}
