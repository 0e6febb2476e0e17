// The programmatic surface of @ai-finance/traffic-tools: the simulator, the brute-force run, and their options.
export { runTraffic, type TrafficHooks, type TrafficProgress } from './run-traffic';
export { parseTrafficArguments, DEFAULT_GATEWAY_URL, GATEWAY_URL_VARIABLE, type TrafficOptions, type TrafficCliOptions } from './options';
export { ACTION_GROUPS, ACTION_GROUP_NAMES, DEFAULT_MIX, parseMix, type ActionGroup, type ActionMix, type ActionName } from './action-mix';
export { sourceAddressFor, planSourceAddresses, type SourceAddressMode } from './source-addresses';
export { summaryText, progressLine } from './report-format';
export type { TrafficSummary, ActionSummary, OutcomeCounts, OutcomeSummary, LatencyPercentiles } from './summary';
export { runBruteForce, type BruteForceTally, type BruteForceHooks } from './login-attack';
export { parseBruteForceArguments, DEFAULT_ATTACK_ADDRESS, type BruteForceOptions } from './brute-force-options';
export { OptionsError, StartError } from './errors';
