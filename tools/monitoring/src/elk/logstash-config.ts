/**
 * A parser and evaluator for the part of the Logstash pipeline language our pipeline uses, so that tests
 * can run the checked-in pipeline files on real log lines without Logstash.
 *
 * Supported: `input`/`filter`/`output` sections; plugins with `key => value` settings (strings, numbers,
 * barewords, lists, hashes); `if`/`else if`/`else` with `==`, `!=`, `!`, `and`, `or`, parentheses and bare
 * field references; the `mutate` options `replace`, `lowercase`, `copy`, `add_field` and `remove_field`,
 * applied in Logstash's order; sprintf `%{[field]}` and `%{+YYYY.MM.dd}` (UTC). Anything else is an
 * error naming what is missing, never silently skipped: extend this file when the pipeline needs more.
 */

type Value = string | number | Value[] | { [key: string]: Value };

export interface Plugin {
  kind: 'plugin';
  name: string;
  settings: Record<string, Value>;
}

interface Branch {
  condition: Condition | undefined;
  body: Statement[];
}

interface IfChain {
  kind: 'if';
  branches: Branch[];
}

type Statement = Plugin | IfChain;

type Operand = { field: string[] } | { literal: string | number };
type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; operand: Condition }
  | { op: '==' | '!='; left: Operand; right: Operand }
  | { op: 'truthy'; operand: Operand };

export interface PipelineConfig {
  input: Statement[];
  filter: Statement[];
  output: Statement[];
}

type Token = { type: 'string'; value: string } | { type: 'word'; value: string } | { type: 'number'; value: number } | { type: 'punct'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(=>|==|!=|[{}[\](),!])|(-?\d+(?:\.\d+)?)(?![\w@.])|([A-Za-z_@][\w@.-]*)/y;
  let position = 0;
  while (position < source.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(source);
    if (!match) throw new Error(`Logstash config: cannot read ${JSON.stringify(source.slice(position, position + 30))}`);
    position = pattern.lastIndex;
    const [, double, single, punct, number, word] = match;
    if (double !== undefined || single !== undefined) tokens.push({ type: 'string', value: (double ?? single)!.replace(/\\(.)/g, '$1') });
    else if (punct !== undefined) tokens.push({ type: 'punct', value: punct });
    else if (number !== undefined) tokens.push({ type: 'number', value: Number(number) });
    else if (word !== undefined) tokens.push({ type: 'word', value: word });
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  config(): PipelineConfig {
    const config: PipelineConfig = { input: [], filter: [], output: [] };
    while (!this.done()) {
      const section = this.word();
      if (section !== 'input' && section !== 'filter' && section !== 'output') throw new Error(`Logstash config: unknown section ${section}`);
      config[section].push(...this.block());
    }
    return config;
  }

  private block(): Statement[] {
    this.expect('{');
    const statements: Statement[] = [];
    while (!this.accept('}')) statements.push(this.peekWord('if') ? this.ifChain() : this.plugin());
    return statements;
  }

  private ifChain(): IfChain {
    this.word();
    const branches: Branch[] = [{ condition: this.condition(), body: this.block() }];
    while (this.peekWord('else')) {
      this.word();
      if (this.peekWord('if')) {
        this.word();
        branches.push({ condition: this.condition(), body: this.block() });
      } else {
        branches.push({ condition: undefined, body: this.block() });
        break;
      }
    }
    return { kind: 'if', branches };
  }

  private plugin(): Plugin {
    const name = this.word();
    this.expect('{');
    const settings: Record<string, Value> = {};
    while (!this.accept('}')) {
      const key = this.word();
      this.expect('=>');
      settings[key] = this.value();
    }
    return { kind: 'plugin', name, settings };
  }

  private value(): Value {
    if (this.accept('[')) {
      const list: Value[] = [];
      while (!this.accept(']')) {
        list.push(this.value());
        this.accept(',');
      }
      return list;
    }
    if (this.accept('{')) {
      const hash: Record<string, Value> = {};
      while (!this.accept('}')) {
        const key = this.next();
        if (key.type !== 'string' && key.type !== 'word') throw new Error('Logstash config: a hash key must be a string');
        this.expect('=>');
        hash[key.value] = this.value();
        this.accept(',');
      }
      return hash;
    }
    const token = this.next();
    if (token.type === 'punct') throw new Error(`Logstash config: unexpected ${token.value} where a value belongs`);
    return token.value;
  }

  /** `or` binds loosest, then `and`, then `!`. */
  private condition(): Condition {
    return this.chain('or', () => this.chain('and', () => this.unary()));
  }

  private chain(op: 'and' | 'or', operand: () => Condition): Condition {
    let left = operand();
    while (this.peekWord(op)) {
      this.word();
      left = { op, left, right: operand() };
    }
    return left;
  }

  private unary(): Condition {
    if (this.accept('!')) return { op: 'not', operand: this.unary() };
    if (this.accept('(')) {
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const left = this.operand();
    const op = this.tokens[this.position];
    if (op?.type === 'punct' && (op.value === '==' || op.value === '!=')) {
      this.position++;
      return { op: op.value, left, right: this.operand() };
    }
    if (op?.type === 'word' && (op.value === 'in' || op.value === 'not' || op.value === '=~')) throw new Error(`Logstash config: the test evaluator does not support "${op.value}"`);
    return { op: 'truthy', operand: left };
  }

  private operand(): Operand {
    const token = this.tokens[this.position];
    if (token?.type === 'punct' && token.value === '[') {
      const field: string[] = [];
      while (this.accept('[')) {
        field.push(this.word());
        this.expect(']');
      }
      return { field };
    }
    const literal = this.next();
    if (literal.type !== 'string' && literal.type !== 'number') throw new Error(`Logstash config: unexpected ${literal.value} in a condition`);
    return { literal: literal.value };
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new Error('Logstash config: unexpected end of file');
    return token;
  }

  private word(): string {
    const token = this.next();
    if (token.type !== 'word') throw new Error(`Logstash config: expected a name, found ${String(token.value)}`);
    return token.value;
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.position];
    return token?.type === 'word' && token.value === word;
  }

  private accept(punct: string): boolean {
    const token = this.tokens[this.position];
    if (token?.type !== 'punct' || token.value !== punct) return false;
    this.position++;
    return true;
  }

  private expect(punct: string): void {
    if (!this.accept(punct)) throw new Error(`Logstash config: expected ${punct}, found ${String(this.tokens[this.position]?.value ?? 'end of file')}`);
  }

  private done(): boolean {
    return this.position >= this.tokens.length;
  }
}

/** Parses pipeline files as Logstash does: concatenated, in the order given (Logstash sorts them by name). */
export function parsePipeline(...sources: string[]): PipelineConfig {
  return new Parser(tokenize(sources.join('\n'))).config();
}

export type LogstashEvent = Record<string, unknown>;

/** `[a][b]` or `a` as a path of keys. */
function fieldPath(reference: string): string[] {
  if (!reference.startsWith('[')) return [reference];
  const parts = [...reference.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]!);
  if (parts.join('') !== reference.replace(/[[\]]/g, '')) throw new Error(`Logstash config: bad field reference ${reference}`);
  return parts;
}

function getField(event: LogstashEvent, path: string[]): unknown {
  let value: unknown = event;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function setField(event: LogstashEvent, path: string[], value: unknown): void {
  let target = event;
  for (const key of path.slice(0, -1)) {
    if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
    target = target[key] as LogstashEvent;
  }
  target[path[path.length - 1]!] = value;
}

function removeField(event: LogstashEvent, path: string[]): void {
  const parent = getField(event, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1]!];
}

const JODA_TOKENS: Record<string, (date: Date) => string> = {
  YYYY: (date) => String(date.getUTCFullYear()),
  yyyy: (date) => String(date.getUTCFullYear()),
  MM: (date) => String(date.getUTCMonth() + 1).padStart(2, '0'),
  dd: (date) => String(date.getUTCDate()).padStart(2, '0'),
  HH: (date) => String(date.getUTCHours()).padStart(2, '0'),
};

/** Logstash's sprintf: `%{[field]}` becomes the field's value (left as written when missing), `%{+FORMAT}` the event's @timestamp. */
export function sprintf(template: string, event: LogstashEvent): string {
  return template.replace(/%\{([^}]+)\}/g, (whole, reference: string) => {
    if (reference.startsWith('+')) {
      const timestamp = new Date(String(event['@timestamp']));
      if (Number.isNaN(timestamp.getTime())) throw new Error(`Logstash: ${whole} needs a valid @timestamp, the event has ${String(event['@timestamp'])}`);
      return reference.slice(1).replace(/[A-Za-z]+/g, (token) => {
        const format = JODA_TOKENS[token];
        if (!format) throw new Error(`Logstash: the test evaluator does not know the date token ${token}`);
        return format(timestamp);
      });
    }
    const value = getField(event, fieldPath(reference));
    return value === undefined ? whole : typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function operandValue(operand: Operand, event: LogstashEvent): unknown {
  return 'field' in operand ? getField(event, operand.field) : operand.literal;
}

function holds(condition: Condition, event: LogstashEvent): boolean {
  switch (condition.op) {
    case 'and':
      return holds(condition.left, event) && holds(condition.right, event);
    case 'or':
      return holds(condition.left, event) || holds(condition.right, event);
    case 'not':
      return !holds(condition.operand, event);
    case 'truthy': {
      const value = operandValue(condition.operand, event);
      return value !== undefined && value !== null && value !== false;
    }
    default: {
      const equal = operandValue(condition.left, event) === operandValue(condition.right, event);
      return condition.op === '==' ? equal : !equal;
    }
  }
}

const asList = (value: Value | undefined): Value[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const asHash = (value: Value | undefined): Record<string, Value> => (value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : {});

const MUTATE_OPTIONS = ['replace', 'lowercase', 'copy', 'add_field', 'remove_field'];

/** mutate, in Logstash's order: replace, lowercase, copy, then the common options add_field and remove_field. */
function mutate(settings: Record<string, Value>, event: LogstashEvent): void {
  const unknown = Object.keys(settings).filter((option) => !MUTATE_OPTIONS.includes(option));
  if (unknown.length > 0) throw new Error(`Logstash: the test evaluator does not support mutate option(s) ${unknown.join(', ')}`);
  for (const [field, value] of Object.entries(asHash(settings.replace))) setField(event, fieldPath(field), sprintf(String(value), event));
  for (const field of asList(settings.lowercase)) {
    const path = fieldPath(String(field));
    const value = getField(event, path);
    if (typeof value === 'string') setField(event, path, value.toLowerCase());
  }
  for (const [from, to] of Object.entries(asHash(settings.copy))) {
    const value = getField(event, fieldPath(from));
    if (value !== undefined) setField(event, fieldPath(String(to)), structuredClone(value));
  }
  for (const [field, value] of Object.entries(asHash(settings.add_field))) {
    const path = fieldPath(field);
    const existing = getField(event, path);
    const added = sprintf(String(value), event);
    // Logstash turns a field that already has a value into a list of both.
    setField(event, path, existing === undefined ? added : [...(Array.isArray(existing) ? existing : [existing]), added]);
  }
  for (const field of asList(settings.remove_field)) removeField(event, fieldPath(sprintf(String(field), event)));
}

function run(statements: Statement[], event: LogstashEvent, plugin: (step: Plugin) => void): void {
  for (const statement of statements) {
    if (statement.kind === 'plugin') {
      plugin(statement);
      continue;
    }
    const branch = statement.branches.find((candidate) => candidate.condition === undefined || holds(candidate.condition, event));
    if (branch) run(branch.body, event, plugin);
  }
}

/** Runs the filter section on a copy of the event, as Logstash would. */
export function runFilters(config: PipelineConfig, input: LogstashEvent): LogstashEvent {
  const event = structuredClone(input);
  run(config.filter, event, (step) => {
    if (step.name !== 'mutate') throw new Error(`Logstash: the test evaluator does not support the filter plugin ${step.name}`);
    mutate(step.settings, event);
  });
  return event;
}

export interface OutputCall {
  plugin: string;
  /** The plugin's settings, strings formatted with the event (sprintf), as the plugin would see them. */
  settings: Record<string, Value>;
}

/** The outputs an event reaches after the filters, with their settings formatted for that event. */
export function outputsFor(config: PipelineConfig, event: LogstashEvent): OutputCall[] {
  const calls: OutputCall[] = [];
  run(config.output, event, (step) => {
    const settings = Object.fromEntries(Object.entries(step.settings).map(([key, value]) => [key, typeof value === 'string' ? sprintf(value, event) : value]));
    calls.push({ plugin: step.name, settings });
  });
  return calls;
}
