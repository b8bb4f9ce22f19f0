// IPv4/IPv6 address helpers for the simulated network.
import { isIP } from 'node:net';

export const isIp = (s: string) => isIP(s) !== 0;
export const isLoopback = (ip: string) => ip === '::1' || /^127\./.test(ip);

/** `host:port` as Go's net.JoinHostPort writes it (IPv6 in brackets). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An IPv4 address written with dashes, as pod DNS names carry it (10-0-0-1). */
export function dashedIp(label: string): string | undefined {
  const ip = label.replace(/-/g, '.');
  return isIP(ip) === 4 ? ip : undefined;
}
