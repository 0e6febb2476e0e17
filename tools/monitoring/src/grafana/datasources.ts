import type { DatasourceRef } from './model';

/*
 * The data sources Grafana is provisioned with. Their uids are fixed: the dashboards, the exemplar link
 * (Prometheus to Jaeger) and the trace-to-logs link (Jaeger to Elasticsearch) refer to them by uid only.
 * Hostnames are the compose service names. No credential is written here: none of these back ends asks
 * for one inside the compose network.
 */

export const PROMETHEUS: DatasourceRef = { type: 'prometheus', uid: 'prometheus' };
export const ALERTMANAGER: DatasourceRef = { type: 'alertmanager', uid: 'alertmanager' };
export const ELASTICSEARCH: DatasourceRef = { type: 'elasticsearch', uid: 'elasticsearch' };
export const JAEGER: DatasourceRef = { type: 'jaeger', uid: 'jaeger' };

export const DATASOURCES = [PROMETHEUS, ALERTMANAGER, ELASTICSEARCH, JAEGER] as const;

/** Where the log pipeline writes (ai-finance-logs-*, ai-finance-errors-*, ...) and the fields of a line. */
export const LOG_INDEX_PATTERN = 'ai-finance-*';
/** Logstash also copies every error line into ai-finance-errors-*: queries over the pattern leave the copies out. */
export const ERROR_COPIES = '_index:ai-finance-errors-*';
export const LOG_FIELDS = { time: '@timestamp', message: 'message', level: 'level', service: 'service_name', traceId: 'trace_id' } as const;

/** The exemplar label the request histogram carries (libs/observability, sampled requests only). */
export const EXEMPLAR_TRACE_ID_LABEL = 'trace_id';

/** Prometheus' scrape interval (prometheus.yml): Grafana's $__rate_interval is at least four of it. */
const SCRAPE_INTERVAL = '15s';

/** monitoring/grafana/provisioning/datasources/datasources.yml */
export function datasourcesProvisioning() {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: PROMETHEUS.uid,
        type: PROMETHEUS.type,
        access: 'proxy',
        url: 'http://prometheus:9090',
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          timeInterval: SCRAPE_INTERVAL,
          // An exemplar's trace_id opens that trace in Jaeger.
          exemplarTraceIdDestinations: [{ name: EXEMPLAR_TRACE_ID_LABEL, datasourceUid: JAEGER.uid, urlDisplayLabel: 'Open trace in Jaeger' }],
        },
      },
      {
        name: 'Alertmanager',
        uid: ALERTMANAGER.uid,
        type: ALERTMANAGER.type,
        access: 'proxy',
        url: 'http://alertmanager:9093',
        editable: false,
        jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
      },
      {
        name: 'Elasticsearch',
        uid: ELASTICSEARCH.uid,
        type: ELASTICSEARCH.type,
        access: 'proxy',
        url: 'http://elasticsearch:9200',
        editable: false,
        jsonData: {
          index: LOG_INDEX_PATTERN,
          timeField: LOG_FIELDS.time,
          logMessageField: LOG_FIELDS.message,
          logLevelField: LOG_FIELDS.level,
          maxConcurrentShardRequests: 5,
          // A log line's trace_id opens its trace in Jaeger (the way back from logs to traces). Grafana reads
          // $NAME in provisioning files as an environment variable: $$ is a literal $.
          dataLinks: [{ field: LOG_FIELDS.traceId, url: '$${__value.raw}', datasourceUid: JAEGER.uid }],
        },
      },
      {
        name: 'Jaeger',
        uid: JAEGER.uid,
        type: JAEGER.type,
        access: 'proxy',
        url: 'http://jaeger:16686',
        editable: false,
        jsonData: traceToLogs(),
      },
    ],
  };
}

/**
 * A span's "logs" link: the lines in Elasticsearch that carry the span's trace id, a minute either side
 * of the span. tracesToLogsV2 is what Grafana 10 and later read; tracesToLogs is the same for older ones.
 */
function traceToLogs() {
  const link = { datasourceUid: ELASTICSEARCH.uid, spanStartTimeShift: '-1m', spanEndTimeShift: '1m', filterByTraceID: true, filterBySpanID: false };
  // The trace's lines once each: without the copies Logstash makes of error lines in ai-finance-errors-*.
  // ($$ is a literal $ in a provisioning file.)
  const query = `${LOG_FIELDS.traceId}:"$\${__trace.traceId}" AND NOT ${ERROR_COPIES}`;
  return { tracesToLogsV2: { ...link, customQuery: true, query }, tracesToLogs: link };
}

/** Where the compose file mounts monitoring/grafana/dashboards. */
export const DASHBOARDS_MOUNT = '/var/lib/grafana/dashboards';

/** monitoring/grafana/provisioning/dashboards/dashboards.yml */
export function dashboardsProvisioning() {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'ai-finance',
        orgId: 1,
        folder: 'AI Finance',
        type: 'file',
        disableDeletion: true,
        // The files are generated: edits in the UI cannot be saved back and would be lost.
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: DASHBOARDS_MOUNT, foldersFromFilesStructure: false },
      },
    ],
  };
}
