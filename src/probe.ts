import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { isIPv6 } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * What `ipcompose verify` runs inside a container's network namespace
 * (entered from the host with nsenter, so the image needs no shell or curl):
 * the source address a probe target sees, and the namespace's default gateway.
 */
export interface ProbeResult {
  seen?: string;
  gateway?: string;
  error?: string;
}

const TIMEOUT_MS = 5000;
const STUN_MAGIC = 0x2112a442;

export async function probe(target: string): Promise<ProbeResult> {
  const gateway = defaultGateway();
  try {
    const seen = target.startsWith('stun:') ? await stunProbe(target) : await httpProbe(target);
    return { seen, ...(gateway ? { gateway } : {}) };
  } catch (error) {
    return { error: (error as Error).message, ...(gateway ? { gateway } : {}) };
  }
}

/** An HTTP endpoint that answers with the caller's address as its body. */
function httpProbe(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: TIMEOUT_MS, headers: { 'user-agent': 'ipcompose-verify' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const address = body.trim().split(/\s+/)[0] ?? '';
        if (res.statusCode !== 200 || address === '') reject(new Error(`${url} answered ${res.statusCode} ${JSON.stringify(body.slice(0, 60))}`));
        else resolve(address.replace(/^::ffff:/, ''));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** RFC 5389 Binding request; the XOR-MAPPED-ADDRESS of the answer (IPv4). */
function stunProbe(target: string): Promise<string> {
  const [host, port] = parseStun(target);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const id = randomBytes(12);
    const message = Buffer.alloc(20);
    message.writeUInt16BE(0x0001, 0);
    message.writeUInt16BE(0, 2);
    message.writeUInt32BE(STUN_MAGIC, 4);
    id.copy(message, 8);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${target} did not answer within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    socket.on('message', (msg) => {
      if (msg.length < 20 || !msg.subarray(8, 20).equals(id)) return;
      clearTimeout(timer);
      socket.close();
      const address = xorMappedAddress(msg);
      if (address) resolve(address);
      else reject(new Error(`${target} sent no XOR-MAPPED-ADDRESS`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.send(message, port, host);
  });
}

export function parseStun(target: string): [string, number] {
  const rest = target.replace(/^stun:/, '');
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) return [bracketed[1]!, Number(bracketed[2] ?? 3478)];
  const [host, port] = rest.split(':');
  return [host!, Number(port ?? 3478)];
}

export function xorMappedAddress(msg: Buffer): string | undefined {
  for (let offset = 20; offset + 4 <= msg.length; ) {
    const type = msg.readUInt16BE(offset);
    const length = msg.readUInt16BE(offset + 2);
    if (type === 0x0020 && msg.readUInt8(offset + 5) === 0x01) {
      const value = msg.readUInt32BE(offset + 8) ^ STUN_MAGIC;
      return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
    }
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return undefined;
}

/** The IPv4 default gateway of the network namespace this process is in (proc(5): /proc/net/route). */
export function defaultGateway(routeTable = readRouteTable()): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000' && gateway) {
      const n = Number.parseInt(gateway, 16);
      // The kernel prints the address in host byte order (little-endian here).
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
    }
  }
  return undefined;
}

function readRouteTable(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}
