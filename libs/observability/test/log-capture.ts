/** A pino destination that keeps every line, for assertions on what a service logged. */
export class LogCapture {
  readonly lines: string[] = [];

  write(line: string): void {
    for (const part of line.split('\n')) if (part.trim() !== '') this.lines.push(part);
  }

  get records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
