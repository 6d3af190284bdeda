import { main } from './cli.js';

// bin/ipcompose set this aside to spare Node's start-up; compose and the
// other programs ipcompose starts see the environment the user gave.
const { IPCOMPOSE_NODE_EXTRA_CA_CERTS: caCerts, ...env } = process.env;
if (caCerts !== undefined) env.NODE_EXTRA_CA_CERTS = caCerts;

// The only place that ends the process: everything below returns a status.
process.exitCode = await main(process.argv.slice(2), process.cwd(), env);
