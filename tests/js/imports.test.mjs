// The UI's modules import each other without cycles (a cycle means two modules own one job,
// and ES modules then see half-initialised bindings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('../../ui/js/', import.meta.url);

/** module file → the modules it imports (static `import … from './x.js'` only). */
export function importGraph() {
  const graph = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/^\s*import\s[^;]*?from\s+['"]\.\/([\w.-]+\.js)['"]/gms)].map((m) => m[1]);
    graph.set(file, [...new Set(imports)]);
  }
  return graph;
}

/** Every cycle, each as the list of modules on it, starting from its smallest name. */
export function cycles(graph) {
  const found = new Set();
  const walk = (path) => {
    const here = path[path.length - 1];
    for (const next of graph.get(here) || []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        found.add([...cycle.slice(start), ...cycle.slice(0, start)].join(' -> '));
      } else {
        walk([...path, next]);
      }
    }
  };
  for (const file of graph.keys()) walk([file]);
  return [...found].sort();
}

test('the cycle finder finds cycles', () => {
  const graph = new Map([['a.js', ['b.js']], ['b.js', ['c.js']], ['c.js', ['a.js']], ['d.js', ['a.js']]]);
  assert.deepEqual(cycles(graph), ['a.js -> b.js -> c.js']);
  assert.deepEqual(cycles(new Map([['a.js', ['b.js']], ['b.js', []]])), []);
});

test('every imported module exists', () => {
  const graph = importGraph();
  for (const [file, imports] of graph) {
    for (const target of imports) assert.ok(graph.has(target), `${file} imports missing ${target}`);
  }
  assert.ok(graph.get('main.js').length > 5, 'the graph was read');
});

test('the UI modules import each other without cycles', () => {
  assert.deepEqual(cycles(importGraph()), []);
});
