/**
 * Expansion of a scenario template with its parameters (docs/scenarios.md, "Templates"): the
 * built-in kinds are written this way. Pure and small on purpose: `${path}` substitutes a parameter
 * (a scalar exactly `${path}` takes the value as it is, list or map included), and a list item
 * `{ $each: <list>, as: <name>, do: <item> }` becomes one item per element, with `<name>` and
 * `<name>Number` (1-based) in scope. `{{var}}` is left for the engine to fill at run time.
 */

export class TemplateError extends Error {
  constructor(message: string, readonly path: string) {
    super(`${path === '' ? '(top level)' : path}: ${message}`);
    this.name = 'TemplateError';
  }
}

type Scope = Readonly<Record<string, unknown>>;

const whole = /^\$\{([A-Za-z_][A-Za-z0-9_.]*)\}$/;
const inline = /\$\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;

function lookup(scope: Scope, name: string, path: string): unknown {
  let value: unknown = scope;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) throw new TemplateError(`parameter \${${name}} is not given`, path);
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function expandString(text: string, scope: Scope, path: string): unknown {
  const single = whole.exec(text);
  if (single?.[1] !== undefined) return structuredClone(lookup(scope, single[1], path));
  return text.replace(inline, (_, name: string) => {
    const value = lookup(scope, name, path);
    if (value !== null && typeof value === 'object') throw new TemplateError(`\${${name}} is a list or map and cannot be part of a text`, path);
    return String(value);
  });
}

function isEach(item: unknown): item is { $each: unknown; as?: unknown; do?: unknown } {
  return item !== null && typeof item === 'object' && !Array.isArray(item) && Object.hasOwn(item, '$each');
}

export function expandTemplate(node: unknown, scope: Scope, path = ''): unknown {
  if (typeof node === 'string') return expandString(node, scope, path);
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    node.forEach((item: unknown, index) => {
      const itemPath = `${path}.${index}`;
      if (!isEach(item)) {
        out.push(expandTemplate(item, scope, itemPath));
        return;
      }
      const list = expandTemplate(item.$each, scope, `${itemPath}.$each`);
      if (!Array.isArray(list)) throw new TemplateError('$each needs a list', itemPath);
      if (typeof item.as !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(item.as)) throw new TemplateError('$each needs `as: <name>`', itemPath);
      const name = item.as;
      list.forEach((element: unknown, elementIndex) => {
        out.push(expandTemplate(item.do, { ...scope, [name]: element, [`${name}Number`]: elementIndex + 1 }, `${itemPath}.${elementIndex}`));
      });
    });
    return out;
  }
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, expandTemplate(value, scope, path === '' ? key : `${path}.${key}`)]));
  }
  return node;
}
