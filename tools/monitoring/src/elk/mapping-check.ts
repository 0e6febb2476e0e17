import { readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, join } from 'node:path';

/** The part of an Elasticsearch field mapping the checks read. */
export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  enabled?: boolean;
  dynamic?: boolean | 'strict' | 'true' | 'false';
  scaling_factor?: number;
  coerce?: boolean;
}

export interface IndexMapping {
  dynamic?: FieldMapping['dynamic'];
  properties: Record<string, FieldMapping>;
}

interface TemplateBody {
  template?: { mappings?: IndexMapping; settings?: Record<string, unknown> };
}

interface IndexTemplate extends TemplateBody {
  index_patterns: string[];
  priority?: number;
  composed_of?: string[];
}

export interface TemplateSet {
  componentTemplates: Map<string, TemplateBody>;
  indexTemplates: Map<string, IndexTemplate>;
}

function readJsonFolder<T>(folder: string): Map<string, T> {
  const files = readdirSync(folder).filter((name) => name.endsWith('.json'));
  return new Map(files.map((name) => [basename(name, '.json'), JSON.parse(readFileSync(join(folder, name), 'utf8')) as T]));
}

/** The templates install.sh puts into Elasticsearch, named as it names them (the file name). */
export function loadTemplates(elasticsearchDir: string): TemplateSet {
  return {
    componentTemplates: readJsonFolder(join(elasticsearchDir, 'component-templates')),
    indexTemplates: readJsonFolder(join(elasticsearchDir, 'index-templates')),
  };
}

const globMatches = (pattern: string, name: string): boolean =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

/** The index template Elasticsearch applies to a new index: the matching one of highest priority. */
export function templateFor(indexName: string, templates: TemplateSet): [string, IndexTemplate] {
  const matching = [...templates.indexTemplates].filter(([, template]) => template.index_patterns.some((pattern) => globMatches(pattern, indexName)));
  if (matching.length === 0) throw new Error(`no index template matches ${indexName}`);
  matching.sort(([, a], [, b]) => (b.priority ?? 0) - (a.priority ?? 0));
  if (matching.length > 1 && matching[0]![1].priority === matching[1]![1].priority) {
    throw new Error(`index templates ${matching[0]![0]} and ${matching[1]![0]} both match ${indexName} with the same priority: Elasticsearch refuses that`);
  }
  return matching[0]!;
}

function mergeProperties(into: Record<string, FieldMapping>, from: Record<string, FieldMapping>): void {
  for (const [name, field] of Object.entries(from)) {
    const existing = into[name];
    if (existing?.properties && field.properties) {
      const properties = { ...existing.properties };
      mergeProperties(properties, field.properties);
      into[name] = { ...existing, ...field, properties };
    } else {
      into[name] = field;
    }
  }
}

/** The mapping a new index gets: its component templates in order, then the index template's own mappings. */
export function mappingFor(indexName: string, templates: TemplateSet): IndexMapping {
  const [name, template] = templateFor(indexName, templates);
  const parts = (template.composed_of ?? []).map((component) => {
    const body = templates.componentTemplates.get(component);
    if (!body) throw new Error(`index template ${name} is composed of ${component}, which is not in component-templates/`);
    return body;
  });
  const merged: IndexMapping = { properties: {} };
  for (const part of [...parts, template]) {
    const mappings = part.template?.mappings;
    if (!mappings) continue;
    if (mappings.dynamic !== undefined) merged.dynamic = mappings.dynamic;
    mergeProperties(merged.properties, mappings.properties ?? {});
  }
  return merged;
}

const NUMERIC_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// strict_date_optional_time (Elasticsearch's default date format, with epoch_millis).
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

const isScalar = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
const isNumeric = (value: unknown, coerce: boolean): boolean =>
  (typeof value === 'number' && Number.isFinite(value)) || (coerce && typeof value === 'string' && NUMERIC_STRING.test(value.trim()));

/** What each mapping type accepts, as Elasticsearch indexes it with default settings (coerce on). */
const ACCEPTS: Record<string, { expected: string; accepts: (value: unknown, field: FieldMapping) => boolean }> = {
  keyword: { expected: 'a string (or a number or boolean, indexed as text)', accepts: isScalar },
  text: { expected: 'a string', accepts: isScalar },
  ip: { expected: 'an IPv4 or IPv6 address', accepts: (value) => typeof value === 'string' && isIP(value) !== 0 },
  date: {
    expected: 'an ISO 8601 date (strict_date_optional_time) or epoch milliseconds',
    accepts: (value) =>
      (typeof value === 'number' && Number.isInteger(value)) ||
      (typeof value === 'string' && ((ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) || /^\d+$/.test(value))),
  },
  boolean: { expected: 'true, false, "true" or "false"', accepts: (value) => typeof value === 'boolean' || value === 'true' || value === 'false' },
  // An integer type silently truncates 12.5 to 12: treated here as a wrong value, not a coercion.
  ...Object.fromEntries(
    ['long', 'integer', 'short', 'byte'].map((type) => [
      type,
      { expected: 'a whole number (or a string of one)', accepts: (value: unknown, field: FieldMapping) => isNumeric(value, field.coerce !== false) && Number.isInteger(Number(value)) },
    ]),
  ),
  ...Object.fromEntries(
    ['double', 'float', 'half_float', 'scaled_float'].map((type) => [
      type,
      { expected: 'a number or a numeric string such as "12.34"', accepts: (value: unknown, field: FieldMapping) => isNumeric(value, field.coerce !== false) },
    ]),
  ),
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const describe = (value: unknown): string => JSON.stringify(value)?.slice(0, 80) ?? String(value);

/** Problems in the mapping itself: unknown types, a scaled_float without its factor. */
export function mappingProblems(properties: Record<string, FieldMapping>, prefix = ''): string[] {
  return Object.entries(properties).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    if (field.properties || field.type === 'object') return field.properties ? mappingProblems(field.properties, `${path}.`) : [];
    if (!field.type || !ACCEPTS[field.type]) return [`${path}: type ${String(field.type)} is not one the checks know (${Object.keys(ACCEPTS).join(', ')}, object)`];
    if (field.type === 'scaled_float' && !(Number(field.scaling_factor) > 0)) return [`${path}: scaled_float needs a positive scaling_factor`];
    return [];
  });
}

const saysUnindexed = (field: FieldMapping): boolean => field.dynamic === false || field.dynamic === 'false';

/**
 * Checks one document against a mapping as Elasticsearch would index it. Every field must be mapped,
 * or be kept unindexed on purpose: inside an object mapped `enabled: false`, or an unlisted sub-field of
 * an object that says `dynamic: false` itself (the root's `dynamic: false` is a safety net, not a
 * licence). Every value must be one its type accepts. Returns one sentence per problem, naming the field.
 */
export function documentProblems(document: Record<string, unknown>, properties: Record<string, FieldMapping>, prefix = '', unlistedAreUnindexed = false): string[] {
  return Object.entries(document).flatMap(([name, value]) => {
    const path = `${prefix}${name}`;
    const field = properties[name];
    if (field === undefined) {
      return unlistedAreUnindexed ? [] : [`field "${path}" is not in the mapping: with dynamic false it would be kept but not searchable`];
    }
    if (value === null || value === undefined) return [];
    const values = Array.isArray(value) ? value : [value];
    if (field.enabled === false) return [];
    if (field.properties || field.type === 'object') {
      return values.flatMap((item) =>
        isObject(item) ? documentProblems(item, field.properties ?? {}, `${path}.`, saysUnindexed(field)) : [`field "${path}" is mapped as an object, the line has ${describe(item)}`],
      );
    }
    const rule = ACCEPTS[field.type ?? ''];
    if (!rule) return [`field "${path}" has mapping type ${String(field.type)}, which the checks do not know`];
    return values.filter((item) => !rule.accepts(item, field)).map((item) => `field "${path}" is mapped as ${field.type}, which needs ${rule.expected}; the line has ${describe(item)}`);
  });
}

/** Every mapped field as a dotted path (objects' sub-fields included), with its mapping. */
export function mappedFields(properties: Record<string, FieldMapping>, prefix = ''): Map<string, FieldMapping> {
  const fields = new Map<string, FieldMapping>();
  for (const [name, field] of Object.entries(properties)) {
    fields.set(`${prefix}${name}`, field);
    if (field.properties) for (const [path, sub] of mappedFields(field.properties, `${prefix}${name}.`)) fields.set(path, sub);
  }
  return fields;
}
