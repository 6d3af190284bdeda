import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXTENSION } from './declarations.js';

/**
 * The file (and line) that sets a key of the merged model: the last compose
 * file holding it, as later files override earlier ones. Only called when
 * there is an error to report, so parsing the files again costs nothing on
 * the good path.
 */
export async function locateKey(files: readonly string[], keyPath: readonly string[], cwd: string): Promise<string> {
  const { LineCounter, parseDocument } = await import('./yaml-text.js');
  const declPath = keyPath.slice(0, keyPath.indexOf(EXTENSION) + 1);
  const candidates = [keyPath, declPath].filter((p) => p.length > 0);
  for (const file of [...files].reverse()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    for (const path of candidates) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      if (node !== undefined || doc.hasIn(path)) {
        const line = node?.range ? lines.linePos(node.range[0]).line : undefined;
        const shown = relative(cwd, file) || file;
        return line ? `${shown}:${line}` : shown;
      }
    }
  }
  return files.length === 1 ? relative(cwd, files[0]!) || files[0]! : 'the compose project';
}
