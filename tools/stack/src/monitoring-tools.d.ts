// monitoring-tools is built without declaration files; these are the parts of its surface the stack
// uses, as its sources in tools/monitoring/src declare them. test/monitoring-tools-types.spec.ts checks
// that the sources still fit these signatures.

declare module '@ai-finance/monitoring-tools/dist/local-prometheus' {
  export const PROMETHEUS_CONFIG_PATH: string;
  export interface LocalPrometheusOptions {
    addresses: Record<string, string>;
    scrapeInterval?: string;
    evaluationInterval?: string;
  }
  export function localPrometheusConfig(options: LocalPrometheusOptions, sourcePath?: string): string;
  export function serviceAddresses(sourcePath?: string): Record<string, string>;
}

declare module '@ai-finance/monitoring-tools/dist/render-alertmanager' {
  export const ALERTMANAGER_TEMPLATE_PATH: string;
  export function referencedVariables(text: string): string[];
  export function renderConfig(text: string, env: NodeJS.ProcessEnv): string;
}
