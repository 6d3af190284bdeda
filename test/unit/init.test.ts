import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../corpus-dir.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addDeclaration, unifiedDiff } from '../../src/init/add-declaration.js';

/** What `after` adds to `before`, when the change only adds lines; throws otherwise. */
function addedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && line === a[i]) i++;
    else added.push(line);
  }
  expect(i, 'every original line is still there, in order').toBe(a.length);
  return added;
}

const sample = `# Shop stack
name: shop

# the services
services:
    web:   # front
        image: "nginx:1.27"
        ports: ['80:80']
    db:
        image: postgres
networks:
    back: {}
    front:
    edge: { driver: bridge }
`;

describe('addDeclaration', () => {
  it('adds a project declaration above the services block and its comments', () => {
    const after = addDeclaration(sample, { kind: 'project' }, '203.0.113.5', false);
    expect(addedLines(sample, after)).toEqual(['x-egress-ip: 203.0.113.5']);
    expect(after).toContain('name: shop\n\nx-egress-ip: 203.0.113.5\n# the services\nservices:');
    expect(parse(after)['x-egress-ip']).toBe('203.0.113.5');
  });

  it('adds a service declaration with the file’s own indentation', () => {
    const after = addDeclaration(sample, { kind: 'service', name: 'web' }, '2001:db8::5', false);
    expect(addedLines(sample, after)).toEqual(['        x-egress-ip: "2001:db8::5"']);
    expect(parse(after).services.web['x-egress-ip']).toBe('2001:db8::5');
  });

  it('adds to networks written as a block, as nothing, or as flow maps', () => {
    for (const name of ['back', 'front', 'edge']) {
      const after = addDeclaration(sample, { kind: 'network', name }, '203.0.113.7', false);
      expect(parse(after).networks[name]['x-egress-ip']).toBe('203.0.113.7');
    }
    const front = addDeclaration(sample, { kind: 'network', name: 'front' }, '203.0.113.7', false);
    expect(addedLines(sample, front)).toEqual(['        x-egress-ip: 203.0.113.7']);
    expect(parse(addDeclaration(sample, { kind: 'network', name: 'edge' }, '203.0.113.7', false)).networks.edge.driver).toBe('bridge');
  });

  it('adds a network that is not declared yet, and a networks section where there is none', () => {
    const added = addDeclaration(sample, { kind: 'network', name: 'default' }, '203.0.113.8', false);
    expect(addedLines(sample, added)).toEqual(['    default:', '        x-egress-ip: 203.0.113.8']);
    const bare = 'services:\n  web:\n    image: nginx\n';
    const withSection = addDeclaration(bare, { kind: 'network', name: 'default' }, '203.0.113.8', false);
    expect(withSection).toBe(`${bare}\nnetworks:\n  default:\n    x-egress-ip: 203.0.113.8\n`);
  });

  it('refuses to overwrite a declaration without force, and replaces only the value with it', () => {
    const once = addDeclaration(sample, { kind: 'service', name: 'db' }, '203.0.113.5', false);
    expect(() => addDeclaration(once, { kind: 'service', name: 'db' }, '203.0.113.6', false)).toThrow(/already declares services\.db\.x-egress-ip/);
    const twice = addDeclaration(once, { kind: 'service', name: 'db' }, '203.0.113.6', true);
    expect(twice).toBe(once.replace('x-egress-ip: 203.0.113.5', 'x-egress-ip: 203.0.113.6'));
  });

  it('refuses a service the file does not define', () => {
    expect(() => addDeclaration(sample, { kind: 'service', name: 'nope' }, '203.0.113.5', false)).toThrow(/no service nope/);
  });

  it('prints a unified diff of the added lines', () => {
    const after = addDeclaration(sample, { kind: 'project' }, '203.0.113.5', false);
    expect(unifiedDiff('compose.yaml', sample, after)).toBe(
      ['--- a/compose.yaml', '+++ b/compose.yaml', '@@ -1,6 +1,7 @@', ' # Shop stack', ' name: shop', ' ', '+x-egress-ip: 203.0.113.5', ' # the services', ' services:', '     web:   # front', ''].join('\n'),
    );
  });
});

const corpus = corpusDir;

describe.each([
  ['jitsi__docker-jitsi-meet/docker-compose.yml', 'web', 'meet.jitsi'],
  ['mailcow__mailcow-dockerized/docker-compose.yml', 'postfix-mailcow', 'mailcow-network'],
])('on the real file %s', (file, service, network) => {
  const text = () => readFileSync(join(corpus!, file), 'utf8');

  it.each([
    ['project', { kind: 'project' as const }],
    ['service', { kind: 'service' as const, name: service }],
    ['network', { kind: 'network' as const, name: network }],
  ])('%s level: the only change is the added line', (_label, target) => {
    expect(corpus).toBeDefined();
    const before = text();
    const after = addDeclaration(before, target, '203.0.113.5', false);
    expect(addedLines(before, after)).toEqual([expect.stringMatching(/^ *x-egress-ip: 203\.0\.113\.5$/)]);
    const model = parse(after);
    const where = target.kind === 'project' ? model : target.kind === 'service' ? model.services[target.name] : model.networks[target.name];
    expect(where['x-egress-ip']).toBe('203.0.113.5');
  });
});
