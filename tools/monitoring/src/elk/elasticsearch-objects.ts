import { deleteAfterDays, indexPattern, LOG_INDICES, type IndexSpec } from './log-routing';

export const ELASTICSEARCH_DIR = 'monitoring/elk/elasticsearch';

/** Hand-written component templates every index template is composed of, in this order. */
export const COMPONENT_TEMPLATES = ['ai-finance-log-settings', 'ai-finance-log-fields'] as const;

/** JSON cannot carry a comment: generated objects say where they come from in `_meta`, which Elasticsearch keeps. */
const GENERATED_META = {
  generated_by: 'npm run generate:monitoring',
  generated_from: 'tools/monitoring/src/elk/log-routing.ts',
  do_not_edit: 'change the routing table and run the generator',
};

const policyName = (spec: IndexSpec): string => `ai-finance-${spec.kind}`;

/** Body of `PUT _ilm/policy/ai-finance-<kind>`: hot from creation, deleted once every line in it is past retention. */
export function ilmPolicy(spec: IndexSpec): object {
  return {
    policy: {
      _meta: { ...GENERATED_META, retention_days: spec.retentionDays, why: spec.whyRetention },
      phases: {
        hot: { min_age: '0ms', actions: { set_priority: { priority: 100 } } },
        delete: { min_age: `${deleteAfterDays(spec)}d`, actions: { delete: {} } },
      },
    },
  };
}

/** Body of `PUT _index_template/ai-finance-<kind>`: the shared fields and settings, and the kind's ILM policy. */
export function indexTemplate(spec: IndexSpec): object {
  return {
    index_patterns: [indexPattern(spec.kind)],
    priority: 200,
    composed_of: [...COMPONENT_TEMPLATES],
    template: { settings: { 'index.lifecycle.name': policyName(spec) } },
    _meta: { ...GENERATED_META, description: `ai-finance ${spec.kind} index: ${spec.holds}` },
  };
}

const json = (value: object): string => `${JSON.stringify(value, null, 2)}\n`;

/** The generated Elasticsearch files; the file name (without .json) is the object's name in Elasticsearch. */
export function elasticsearchFiles(): Array<{ path: string; content: string }> {
  return LOG_INDICES.flatMap((spec) => [
    { path: `${ELASTICSEARCH_DIR}/ilm/${policyName(spec)}.json`, content: json(ilmPolicy(spec)) },
    { path: `${ELASTICSEARCH_DIR}/index-templates/${policyName(spec)}.json`, content: json(indexTemplate(spec)) },
  ]);
}
