/** Hours, minutes and seconds in any combination, largest unit first: `30s`, `5m`, `1h`, `1h30m`, `2m30s`, `1.5s`. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/** Milliseconds in `text`, or undefined when it is not a duration above zero in the notation above. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  const durationMs = Math.round((Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000);
  return durationMs > 0 ? durationMs : undefined;
}

/** `00:01:05`: elapsed time on the progress line, whole seconds. */
export function formatClock(elapsedMs: number): string {
  const total = Math.floor(elapsedMs / 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}
