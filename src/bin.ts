import { main } from './cli.js';

// The only place that ends the process: everything below returns a status.
process.exitCode = await main(process.argv.slice(2), process.cwd(), process.env);
