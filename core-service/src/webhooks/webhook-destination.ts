import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Tenants choose webhook URLs, so without a guard a tenant could make our servers POST to
 * internal addresses (cloud metadata at 169.254.169.254, an admin port on localhost). Checked
 * at registration (literal addresses) and before every attempt (what the name resolves to
 * now). A name that re-resolves between our lookup and fetch's own is not covered: that needs
 * pinning the address in the HTTP agent, which Node's built-in fetch does not expose.
 */
export class WebhookDestinationError extends Error {
  override readonly name = 'WebhookDestinationError';
}

export function assertWebhookUrl(url: string, allowPrivateNetworks: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookDestinationError(`webhook url "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new WebhookDestinationError('webhook url must be http(s)');
  if (parsed.username || parsed.password) throw new WebhookDestinationError('webhook url must not carry credentials');
  const host = unbracket(parsed.hostname);
  if (!allowPrivateNetworks && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host)))) {
    throw new WebhookDestinationError(`webhook url points at a private address (${host})`);
  }
  return parsed;
}

/** Resolves the URL's host and refuses private, loopback and link-local addresses. */
export async function assertPublicDestination(url: string): Promise<void> {
  const host = unbracket(assertWebhookUrl(url, false).hostname);
  const addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  const blocked = addresses.find(isPrivateAddress);
  if (blocked !== undefined) throw new WebhookDestinationError(`webhook host ${host} resolves to a private address (${blocked})`);
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return isPrivateIPv4(address);
  if (version !== 6) return false;
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isPrivateIPv4(mapped[1]!);
  if (lower === '::' || lower === '::1') return true;
  const first = Number.parseInt(lower.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

function isPrivateIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
