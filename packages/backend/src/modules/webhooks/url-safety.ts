// Which webhook URLs may be called. Always: https, or http to a loopback host (development).
// When `refusePrivate` (production, unless WEBHOOKS_ALLOW_PRIVATE=true): no host that resolves to a
// loopback, private, link-local or otherwise non-public address, checked when the URL is registered
// and again at each delivery, where the address checked is the one connected to (DNS can change).
import dns from 'node:dns';
import net from 'node:net';
import { HttpProblem } from '../../lib/http-problem.ts';

const privateV4 = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3], // multicast and reserved, up to 255.255.255.255
] as const) {
  privateV4.addSubnet(prefix, bits, 'ipv4');
}
const privateV6 = new net.BlockList();
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  privateV6.addSubnet(prefix, bits, 'ipv6');
}

/** True for an address that is not on the public internet (loopback, private, link-local, …). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return privateV4.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible forms carry an IPv4 address
  const mapped = /^(?:0*:)*:?(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined) return isPrivateAddress(mapped[1]);
  const hexMapped = /^(?:0*:)*:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped?.[1] !== undefined && hexMapped[2] !== undefined) {
    const high = parseInt(hexMapped[1], 16);
    const low = parseInt(hexMapped[2], 16);
    return isPrivateAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return privateV6.check(address, 'ipv6');
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (net.isIP(lower) === 4) return lower.startsWith('127.');
  return lower === '::1';
}

export class AddressRefused extends Error {
  constructor(readonly host: string) {
    super(`${host} resolves to a loopback or private address`);
    this.name = 'AddressRefused';
  }
}

function urlProblem(message: string): HttpProblem {
  return new HttpProblem(422, 'validation_failed', `The webhook URL ${message}.`, {}, [
    { pointer: '/body/url', message },
  ]);
}

/**
 * The URL as it will be stored, or a 422: `validation_failed` for a URL that is not https (or http
 * to loopback), `webhook_url_refused` for one that resolves to a private address when those are
 * refused.
 */
export async function checkWebhookUrl(raw: string, refusePrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw urlProblem('is not a URL');
  }
  if (url.username !== '' || url.password !== '') throw urlProblem('must not carry credentials');
  const host = hostOf(url);
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(host)) throw urlProblem('must use https (http only to a loopback host)');
  } else if (url.protocol !== 'https:') {
    throw urlProblem('must use https');
  }
  if (refusePrivate) {
    let addresses: string[];
    if (net.isIP(host) !== 0) addresses = [host];
    else {
      try {
        addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
      } catch {
        throw urlProblem('names a host that does not resolve');
      }
    }
    if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
      throw new HttpProblem(
        422,
        'webhook_url_refused',
        `The webhook URL's host ${host} resolves to a loopback or private address, which this server does not call (WEBHOOKS_ALLOW_PRIVATE).`,
        {},
        [{ pointer: '/body/url', message: 'resolves to a loopback or private address' }],
      );
    }
  }
  return url.href;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that fails with AddressRefused when any address of the host is
 * private: the check applies to the addresses the socket connects to.
 */
export function publicOnlyLookup(
  hostname: string,
  options: dns.LookupOptions,
  callback: LookupCallback,
): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) {
      callback(error, []);
      return;
    }
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) {
      callback(new AddressRefused(hostname), []);
      return;
    }
    if (options.all === true) callback(null, addresses);
    else {
      const first = addresses[0] as dns.LookupAddress;
      callback(null, first.address, first.family);
    }
  });
}
