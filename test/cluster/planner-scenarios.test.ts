// Planner scenarios as text (test/cluster/scenarios/*.txt). Each line is a command; a command that
// prints (plan, settle, target) is followed by `----` and its expected output up to a blank line.
// Commands: node <id> <site> [weight=N] · leave <id> · drain <id> (weight 0) · site-down <site> · route <id> <binds> [prefer=<site>]
//           pin <route>/<n> <node> · unpin <route>/<n>
//           plan [max-moves=N] · settle [max-moves=N] · target
// SMSPROC_REWRITE=1 rewrites the expected outputs from the actual ones (review the diff).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareBinds, plan, targetAssignment, type PlannerNode, type PlannerRoute } from '../../cluster/planner.js';

const scenarioDir = fileURLToPath(new URL('../../../test/cluster/scenarios/', import.meta.url));
const rewrite = process.env['SMSPROC_REWRITE'] === '1';

interface World {
  nodes: PlannerNode[];
  routes: PlannerRoute[];
  owners: Map<string, string>;
  pins: Map<string, string>;
}

const short = (bind: string) => bind.replace(/^route\/(.+)\/bind\/(\d+)$/, '$1/$2');
const longBind = (text: string) => text.replace(/^(.+)\/(\d+)$/, 'route/$1/bind/$2');

function option(words: readonly string[], name: string): string | undefined {
  return words.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
}

function ownersByNode(world: World): string[] {
  return [...world.nodes].sort((x, y) => x.id.localeCompare(y.id)).map((node) => {
    const binds = [...world.owners].filter(([, owner]) => owner === node.id).map(([bind]) => bind).sort(compareBinds).map(short);
    return `${node.id} ${node.site}: ${binds.join(' ')}`.trimEnd();
  });
}

function runRound(world: World, maxMoves: number): string[] {
  const result = plan({ nodes: world.nodes, routes: world.routes, owners: world.owners, maxMovesPerRound: maxMoves, pins: world.pins });
  world.owners = new Map(result.assignment);
  const lines = result.moves.map((m) => (m.from === null ? `take ${short(m.bind)} ${m.to}` : `move ${short(m.bind)} ${m.from} -> ${m.to}`));
  if (result.deferred > 0) lines.push(`deferred ${result.deferred}`);
  return lines;
}

/** Runs a command; returns its output lines, or null for a command that prints nothing. */
function run(world: World, line: string): string[] | null {
  const [command, ...words] = line.split(/\s+/);
  const maxMoves = Number(option(words, 'max-moves') ?? 1000);
  switch (command) {
    case 'node':
      world.nodes.push({ id: words[0]!, site: words[1]!, weight: Number(option(words, 'weight') ?? 1) });
      return null;
    case 'leave':
      world.nodes = world.nodes.filter((n) => n.id !== words[0]);
      return null;
    case 'drain':
      world.nodes = world.nodes.map((n) => (n.id === words[0] ? { ...n, weight: 0 } : n));
      return null;
    case 'site-down':
      world.nodes = world.nodes.filter((n) => n.site !== words[0]);
      return null;
    case 'route':
      world.routes.push({ routeId: words[0]!, binds: Number(words[1]), preferredSite: option(words, 'prefer') ?? null });
      return null;
    case 'pin':
      world.pins.set(longBind(words[0]!), words[1]!);
      return null;
    case 'unpin':
      world.pins.delete(longBind(words[0]!));
      return null;
    case 'plan':
      return [...runRound(world, maxMoves), ...ownersByNode(world)];
    case 'settle': {
      let rounds = 0;
      let moves = 0;
      for (;;) {
        const lines = runRound(world, maxMoves).filter((l) => !l.startsWith('deferred'));
        if (lines.length === 0) break;
        rounds++;
        moves += lines.length;
        if (rounds > 1000) throw new Error('settle does not converge');
      }
      return [`rounds ${rounds}, moves ${moves}`, ...ownersByNode(world)];
    }
    case 'target': {
      const target = targetAssignment(world.nodes, world.routes, world.pins);
      return [...world.nodes].sort((x, y) => x.id.localeCompare(y.id)).map((node) => {
        const binds = [...target].filter(([, owner]) => owner === node.id).map(([bind]) => bind).sort(compareBinds).map(short);
        return `${node.id} ${node.site}: ${binds.join(' ')}`.trimEnd();
      });
    }
    default:
      throw new Error(`unknown command: ${line}`);
  }
}

for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`planner scenario ${file}`, () => {
    const path = join(scenarioDir, file);
    const lines = readFileSync(path, 'utf8').split('\n');
    const world: World = { nodes: [], routes: [], owners: new Map(), pins: new Map() };
    const rewritten: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      rewritten.push(lines[i]!);
      if (line === '' || line.startsWith('#')) continue;
      const output = run(world, line);
      if (output === null) continue;
      const expected: string[] = [];
      if (lines[i + 1]?.trim() === '----') {
        i += 2;
        while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!);
        i--;
      }
      rewritten.push('----', ...output);
      // An output block ends at a blank line.
      if ((lines[i + 1]?.trim() ?? '') !== '') rewritten.push('');
      if (!rewrite) assert.deepEqual(output, expected, `${file}: after "${line}"`);
    }
    if (rewrite) writeFileSync(path, rewritten.join('\n').replace(/\n*$/, '\n'));
  });
}
