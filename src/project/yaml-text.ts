// The yaml library, imported dynamically from here so that the bundle keeps
// it in a chunk of its own: it is a third of ipcompose's code, and loading it
// while compose resolves the project keeps it off the start-up path.
export { LineCounter, parse, parseDocument } from 'yaml';
