// The simulated internet's one host: answers every HTTP request with the
// source address it sees, so tests can tell which address a connection left
// from. Runs inside the peer network namespace (see uplink.sh).
import { createServer } from 'node:http';

const port = Number(process.env.PEER_PORT ?? 80);
const hosts = (process.env.PEER_HOSTS ?? '0.0.0.0').split(',');

for (const host of hosts) {
  createServer((req, res) => {
    const seen = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`${seen}\n`);
  }).listen({ port, host, ipv6Only: host.includes(':') });
}
