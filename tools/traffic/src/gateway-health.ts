import { request } from 'undici';
import { StartError } from './errors';
import { describeNetworkError } from './gateway-client';

const HEALTH_TIMEOUT_MS = 5_000;

/** What only the public API can tell about readiness when the gateway serves health on a management port. */
const PUBLIC_PROBE_PATH = '/api/market/quotes';

/**
 * Asks api-gateway's `/health/ready` before any traffic (a gateway with a management port answers it
 * there only, with the platform's 404 on its public port: then a public read stands in for it), and fails with what is wrong: nothing
 * listening, something that is not the gateway, or a gateway whose dependencies are down.
 */
export async function checkGatewayReady(gatewayUrl: URL): Promise<void> {
  const url = new URL('/health/ready', gatewayUrl);
  let status: number;
  let text: string;
  try {
    const response = await request(url, { headersTimeout: HEALTH_TIMEOUT_MS, bodyTimeout: HEALTH_TIMEOUT_MS });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    throw new StartError(
      `api-gateway is not reachable at ${gatewayUrl.origin} (${describeNetworkError(error)}). ` +
        'Start the platform (./start-monitoring.sh start, or npm run start:api-gateway and the services), or point --gateway / AI_FINANCE_GATEWAY_URL at it.',
    );
  }
  if (status === 200) return;
  if (status === 404 && isPlatformNotFound(text)) return checkPublicApi(gatewayUrl);
  const report = readinessReport(text);
  if (status === 503 && report) {
    const down = report.down.map((name) => `${name}${report.dependencies[name]?.error ? ` (${report.dependencies[name]!.error})` : ''}`).join(', ');
    throw new StartError(`api-gateway at ${gatewayUrl.origin} is running but not ready: ${down || 'no reason given'} is down.`);
  }
  throw new StartError(`${url.href} answered ${status}, not api-gateway's readiness report: is ${gatewayUrl.origin} the gateway?`);
}

interface ReadinessReport {
  down: string[];
  dependencies: Record<string, { error?: string } | undefined>;
}

function readinessReport(text: string): ReadinessReport | undefined {
  try {
    const body = JSON.parse(text) as Partial<ReadinessReport>;
    return Array.isArray(body.down) ? { down: body.down.map(String), dependencies: body.dependencies ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/** The platform's own 404 (`statusCode`, `request_id`): a gateway that keeps its health endpoints elsewhere. */
function isPlatformNotFound(text: string): boolean {
  try {
    const body = JSON.parse(text) as { statusCode?: unknown; request_id?: unknown };
    return body.statusCode === 404 && typeof body.request_id === 'string';
  } catch {
    return false;
  }
}

async function checkPublicApi(gatewayUrl: URL): Promise<void> {
  const url = new URL(PUBLIC_PROBE_PATH, gatewayUrl);
  const response = await request(url, { headersTimeout: HEALTH_TIMEOUT_MS, bodyTimeout: HEALTH_TIMEOUT_MS });
  const text = await response.body.text();
  if (response.statusCode === 200) return;
  throw new StartError(`api-gateway at ${gatewayUrl.origin} is running but not ready: GET ${PUBLIC_PROBE_PATH} answered ${response.statusCode} (${text.slice(0, 200)}).`);
}
