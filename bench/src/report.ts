import type { BenchResults } from './results';

/** The Node.js major a run measured: the document keeps one measured section per major. */
export function nodeMajorOf(results: BenchResults): string {
  return results.machine.nodeVersion.replace(/^v/, '').split('.')[0];
}

const markers = (major: string): { start: string; end: string } => ({
  start: `<!-- bench:results:node${major}:start (written by npm run bench; do not edit by hand) -->`,
  end: `<!-- bench:results:node${major}:end -->`,
});

const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The measured part of docs/performance.md: machine, targets, and one table per scenario. */
export function resultsMarkdown(results: BenchResults): string {
  const { machine, scenarios } = results;
  const lines: string[] = [
    `### Node ${nodeMajorOf(results)}`,
    '',
    `Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpuModel} (${machine.cpuCores} cores, ${machine.memoryGiB} GiB), Node ${machine.nodeVersion}, commit ${machine.commit}; ` +
      `${results.settings.rounds} alternating rounds of ${results.settings.runSeconds} s per variant, medians. The whole run took ${Math.round(results.durationSeconds / 60)} min.`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...results.targets.map((verdict) => `| ${verdict.target} | ${verdict.measured} | ${verdict.met === null ? 'not judged' : verdict.met ? 'yes' : '**no**'} |`),
  ];
  const variantTable = (title: string, variants: Record<string, { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number; cpuMsPerRequest: number; ratioToOff: number }>): void => {
    lines.push('', `**${title}**`, '', '| variant | req/s | p50 ms | p99 ms | CPU µs per request | ratio to off |', '|---|---:|---:|---:|---:|---:|');
    for (const [name, run] of Object.entries(variants)) {
      lines.push(`| ${name} | ${n(run.requestsPerSecond)} | ${n(run.latencyP50Ms, 1)} | ${n(run.latencyP99Ms, 1)} | ${n(run.cpuMsPerRequest * 1000)} | ${n(run.ratioToOff, 2)} |`);
    }
  };
  if (scenarios.trivialRoute) variantTable(`1. Trivial route (GET ${scenarios.trivialRoute.route}, ${scenarios.trivialRoute.connections} connections)`, scenarios.trivialRoute.variants);
  if (scenarios.realPath) variantTable(`2. Real path (GET ${scenarios.realPath.path} through api-gateway to market-data, ${scenarios.realPath.connections} connections; CPU of both services)`, scenarios.realPath.variants);
  if (scenarios.addedLatency) {
    const added = scenarios.addedLatency;
    const { off, library } = added;
    lines.push('', `**3. Added latency at ${n(added.ratePerSecond)} req/s on the real path (open loop)**`, '', '| variant | p50 ms | p95 ms | p99 ms | failed |', '|---|---:|---:|---:|---:|');
    for (const [name, run] of [['off', off], ['library', library]] as const) lines.push(`| ${name} | ${n(run.latencyP50Ms, 2)} | ${n(run.latencyP95Ms, 2)} | ${n(run.latencyP99Ms, 2)} | ${run.failedRequests} |`);
    lines.push(
      '',
      `Added: p50 ${n(added.addedLatencyP50Ms, 3)} ms, p99 ${n(added.addedLatencyP99Ms, 3)} ms (median of the rounds: ${added.addedLatencyP99ByRoundMs.map((ms) => n(ms, 2)).join(', ')} ms). ` +
        `The uninstrumented p99 alone moved between ${n(added.offLatencyP99RangeMs[0], 2)} and ${n(added.offLatencyP99RangeMs[1], 2)} ms from round to round.`,
    );
  }
  if (scenarios.platform) {
    const { throughGateway, scrapeCost, memorySoak } = scenarios.platform;
    lines.push('', `**4. Orders through the gateway (${throughGateway.route}; SLO p${throughGateway.slo.latencyPercentile} < ${throughGateway.slo.latencyThresholdMs} ms)**`, '', '| target rate/s | achieved | p50 ms | p95 ms | p99 ms | failed | CPU ms per order | meets SLO |', '|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const step of throughGateway.steps) {
      lines.push(`| ${step.targetRatePerSecond} | ${n(step.achievedRatePerSecond, 1)} | ${n(step.latencyP50Ms, 1)} | ${n(step.latencyP95Ms, 1)} | ${n(step.latencyP99Ms, 1)} | ${step.failedRequests} | ${n(step.cpuMsPerRequest, 1)} | ${step.meetsSlo ? 'yes' : 'no'} |`);
    }
    lines.push('', `Highest rate meeting the SLO: ${throughGateway.highestRateMeetingSloPerSecond ?? 'none'} orders/s.`);
    lines.push('', '**5. Scrape cost (after the traffic simulator and a 4xx probe of every route)**', '', '| service | p50 ms | p99 ms | OpenMetrics p50 ms | OpenMetrics p99 ms | bytes | series | request-duration series | routes | status codes |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const service of scrapeCost.services) {
      lines.push(`| ${service.service} | ${n(service.latencyP50Ms, 1)} | ${n(service.latencyP99Ms, 1)} | ${n(service.openMetrics.latencyP50Ms, 1)} | ${n(service.openMetrics.latencyP99Ms, 1)} | ${n(service.bytes)} | ${n(service.series)} | ${n(service.requestDurationSeries)} | ${service.routesSeen} | ${service.statusCodesSeen.join(' ')} |`);
    }
    lines.push('', `**7. Memory (RSS MiB; Elasticsearch hung, collector refused; ${memorySoak.loadMinutes} min of load)**`, '', '| service | idle | peak under load | half time | after soak | 2nd-half peak vs 1st, % | slope MiB/min (2nd half) | bounded |', '|---|---:|---:|---:|---:|---:|---:|---|');
    for (const [service, memory] of Object.entries(memorySoak.services)) {
      lines.push(`| ${service} | ${n(memory.idleMiB)} | ${n(memory.peakUnderLoadMiB)} | ${n(memory.atHalfTimeMiB)} | ${n(memory.afterSoakMiB)} | ${n(memory.peakGrowthPercent, 1)} | ${memory.slopeOverSecondHalfMiBPerMinute === null ? '–' : n(memory.slopeOverSecondHalfMiBPerMinute, 2)} | ${memory.bounded ? 'yes' : '**no**'} |`);
    }
    lines.push('', `Rule: ${memorySoak.boundedRule}. Log records dropped for Elasticsearch: ${n(memorySoak.logRecordsDropped.total)}.`);
  }
  if (scenarios.logging) {
    const logging = scenarios.logging;
    lines.push('', '**6. Logging**', '', `${n(logging.stdoutOnly.linesPerSecond)} lines/s to stdout (half access log, half application lines). At ${n(logging.pacedLinesPerSecond)} lines/s (event-loop delay: how late a 10 ms timer fires, beyond its 10 ms):`, '', '| Elasticsearch | event-loop delay p50 ms | p99 ms | max ms | records dropped | RSS MiB |', '|---|---:|---:|---:|---:|---:|');
    for (const [name, run] of [['not configured', logging.pacedStdoutOnly], ['hung (accepts, never answers)', logging.pacedElasticsearchHung], ['refused', logging.pacedElasticsearchRefused]] as const) {
      lines.push(`| ${name} | ${n(run.eventLoopDelayP50Ms, 2)} | ${n(run.eventLoopDelayP99Ms, 2)} | ${n(run.eventLoopDelayMaxMs, 2)} | ${n(run.recordsDroppedForElasticsearch)} | ${run.residentMemoryMiB} |`);
    }
  }
  return lines.join('\n');
}

/** `document` with the measured section of this run's Node.js major replaced (or appended, the first time). */
export function withResults(document: string, results: BenchResults): string {
  const { start: START, end: END } = markers(nodeMajorOf(results));
  const section = `${START}\n${resultsMarkdown(results)}\n${END}`;
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start === -1 || end === -1) return `${document.trimEnd()}\n\n${section}\n`;
  return `${document.slice(0, start)}${section}${document.slice(end + END.length)}`;
}
