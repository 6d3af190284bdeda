import { isMap, isPair, isScalar, LineCounter, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { EXTENSION } from '../project/declarations.js';

export type InitTarget = { kind: 'project' } | { kind: 'network'; name: string } | { kind: 'service'; name: string };

/**
 * Adds `x-egress-ip: <value>` to compose file text at the project, network or
 * service level. The text is edited, not re-serialised: lines are inserted at
 * the right place with the file's own indentation, so comments, key order,
 * quoting and layout stay as they were. With `force`, an existing
 * declaration's value is replaced in place.
 */
export function addDeclaration(text: string, target: InitTarget, value: string, force: boolean): string {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw new UserError(`the compose file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const root = doc.contents;
  if (root !== null && !isMap(root)) throw new UserError('the compose file is not a mapping at its top level');
  const rendered = renderValue(value);
  const unit = indentUnit(text, root);

  if (target.kind === 'project') {
    const existing = pairOf(root, EXTENSION);
    if (existing) return replaceValue(text, existing, rendered, force, EXTENSION);
    const services = pairOf(root, 'services');
    const at = services ? startOfCommentBlock(text, lineStart(text, keyStart(services))) : 0;
    return insertAt(text, at, `${EXTENSION}: ${rendered}\n`);
  }

  const section = target.kind === 'network' ? 'networks' : 'services';
  const sectionPair = pairOf(root, section);
  if (!sectionPair || !isMap(sectionPair.value)) {
    if (target.kind === 'service') throw new UserError('the compose file has no services', 'name a service that the file defines');
    const block = `${section}:\n${unit}${target.name}:\n${unit}${unit}${EXTENSION}: ${rendered}\n`;
    return sectionPair ? replaceNode(text, sectionPair, block) : appendBlock(text, block);
  }
  const entry = pairOf(sectionPair.value, target.name);
  const sectionIndent = column(text, keyStart(sectionPair));
  if (!entry) {
    if (target.kind === 'service') throw new UserError(`the compose file has no service ${target.name}`, 'name a service that the file defines, or add it first');
    const childIndent = ' '.repeat(childColumn(text, sectionPair.value) ?? sectionIndent + unit.length);
    const end = endOfNode(text, sectionPair.value);
    return insertAt(text, end, `${childIndent}${target.name}:\n${childIndent}${unit}${EXTENSION}: ${rendered}\n`);
  }
  const entryIndent = column(text, keyStart(entry));
  const body = entry.value;
  if (isMap(body)) {
    const existing = pairOf(body, EXTENSION);
    if (existing) return replaceValue(text, existing, rendered, force, `${section}.${target.name}.${EXTENSION}`);
    if (body.flow) {
      const close = body.range![1] - 1;
      const inside = text.slice(body.range![0] + 1, close).trim();
      return `${text.slice(0, close).trimEnd()}${inside === '' ? ' ' : ', '}${EXTENSION}: ${rendered} ${text.slice(close)}`;
    }
    const indent = ' '.repeat(childColumn(text, body) ?? entryIndent + unit.length);
    return insertAt(text, nextLine(text, keyStart(entry)), `${indent}${EXTENSION}: ${rendered}\n`);
  }
  if (body === null || (isScalar(body) && (body.value === null || body.value === ''))) {
    // `name:` with nothing after it: give it a block of its own.
    return insertAt(text, nextLine(text, keyStart(entry)), `${' '.repeat(entryIndent)}${unit}${EXTENSION}: ${rendered}\n`);
  }
  throw new UserError(`${section}.${target.name} is not a mapping, so it cannot take a declaration`);
}

function renderValue(value: string): string {
  // IPv6 addresses hold colons: quote them, as a careful human would.
  return value.includes(':') ? `"${value}"` : value;
}

function pairOf(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function keyStart(pair: Pair): number {
  return (pair.key as { range?: [number, number, number] }).range![0];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function nextLine(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The column of a block map's first key. */
function childColumn(text: string, map: unknown): number | undefined {
  if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
  return column(text, keyStart(map.items[0] as Pair));
}

/** Where a node's last line ends (after its newline), trailing comments and blank lines left below. */
function endOfNode(text: string, node: unknown): number {
  const end = (node as { range: [number, number, number] }).range[1];
  return nextLine(text, Math.max(lineStart(text, end) === end ? end - 1 : end, 0));
}

/** Moves an insertion point above the comment lines directly over a key. */
function startOfCommentBlock(text: string, at: number): number {
  let start = at;
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    if (!/^\s*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return start;
}

/** The file's indentation step, from the first nested key; two spaces if it has none. */
function indentUnit(text: string, root: unknown): string {
  if (isMap(root)) {
    for (const pair of root.items as Pair[]) {
      const col = childColumn(text, pair.value);
      if (col !== undefined && col > 0) return ' '.repeat(col - column(text, keyStart(pair)));
    }
  }
  return '  ';
}

function insertAt(text: string, at: number, insertion: string): string {
  const prefix = at > 0 && !text.slice(0, at).endsWith('\n') ? '\n' : '';
  return `${text.slice(0, at)}${prefix}${insertion}${text.slice(at)}`;
}

function appendBlock(text: string, block: string): string {
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}\n${block}`;
}

function replaceNode(text: string, pair: Pair, block: string): string {
  const start = lineStart(text, keyStart(pair));
  const end = endOfNode(text, pair.value ?? pair.key);
  return `${text.slice(0, start)}${block}${text.slice(end)}`;
}

function replaceValue(text: string, pair: Pair, rendered: string, force: boolean, key: string): string {
  if (!force) throw new UserError(`the file already declares ${key}`, 'pass --force to replace it');
  const range = (pair.value as { range?: [number, number, number] } | null)?.range;
  if (!range) return insertAt(text, nextLine(text, keyStart(pair)), '');
  return `${text.slice(0, range[0])}${rendered}${text.slice(range[1])}`;
}

/** A unified diff of an edit, for --dry-run: one hunk around the changed lines. */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const context = 3;
  const from = Math.max(0, head - context);
  const aEnd = Math.min(a.length, a.length - tail + context);
  const bEnd = Math.min(b.length, b.length - tail + context);
  const out = [`--- a/${file}`, `+++ b/${file}`, `@@ -${from + 1},${aEnd - from} +${from + 1},${bEnd - from} @@`];
  for (let i = from; i < head; i++) out.push(` ${a[i]}`);
  for (let i = head; i < a.length - tail; i++) out.push(`-${a[i]}`);
  for (let i = head; i < b.length - tail; i++) out.push(`+${b[i]}`);
  for (let i = b.length - tail; i < bEnd; i++) out.push(` ${b[i]}`);
  return `${out.join('\n')}\n`;
}
