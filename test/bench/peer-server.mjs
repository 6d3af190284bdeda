// The simulated internet's one host: answers every HTTP request (port 80) with
// the source address it sees, and every STUN binding request (UDP 3478) with
// the address and port it sees, so tests can tell which address a connection
// left from. Runs inside the peer network namespace (see uplink.sh).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';

const port = Number(process.env.PEER_PORT ?? 80);
const stunPort = Number(process.env.PEER_STUN_PORT ?? 3478);
const MAGIC = 0x2112a442;
const name = process.env.PEER_NAME ?? 'peer';

createServer((req, res) => {
  const seen = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(req.url === '/whoami' ? `${name} ${seen}\n` : `${seen}\n`);
}).listen({ port, host: '::' });

// RFC 5389: a Binding success response with one XOR-MAPPED-ADDRESS (IPv4).
const stun = createSocket({ type: 'udp6', ipv6Only: false });
stun.on('message', (msg, from) => {
  if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001 || msg.readUInt32BE(4) !== MAGIC) return;
  const address = from.address.replace(/^::ffff:/, '');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return;
  const out = Buffer.alloc(32);
  out.writeUInt16BE(0x0101, 0);
  out.writeUInt16BE(12, 2);
  out.writeUInt32BE(MAGIC, 4);
  msg.copy(out, 8, 8, 20);
  out.writeUInt16BE(0x0020, 20);
  out.writeUInt16BE(8, 22);
  out.writeUInt16BE(0x0001, 24);
  out.writeUInt16BE(from.port ^ (MAGIC >>> 16), 26);
  const octets = address.split('.').map(Number);
  out.writeUInt32BE((((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) ^ MAGIC) >>> 0, 28);
  stun.send(out, from.port, from.address);
});
stun.bind(stunPort);
