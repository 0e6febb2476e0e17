import { elasticsearchFiles } from './elasticsearch-objects';
import { KIBANA_SAVED_OBJECTS_PATH, kibanaSavedObjectsNdjson } from './kibana-objects';
import { LOGSTASH_ROUTING_PATH, logstashRoutingConf } from './logstash-routing';

/** The logs pipeline's generated files, all made from the routing table (log-routing.ts). */
export function elkGeneratedFiles(): Array<{ path: string; content: string }> {
  return [
    { path: LOGSTASH_ROUTING_PATH, content: logstashRoutingConf() },
    ...elasticsearchFiles(),
    { path: KIBANA_SAVED_OBJECTS_PATH, content: kibanaSavedObjectsNdjson() },
  ];
}
