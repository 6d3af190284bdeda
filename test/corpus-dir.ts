import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** shared/compose-corpus beside the checkout (CI and sessions) or inside it. */
export const corpusDir: string | undefined = [join(here, '../../shared/compose-corpus'), join(here, '../shared/compose-corpus')].find((d) =>
  existsSync(join(d, 'INDEX.tsv')),
);
