/**
 * Walks a module tree: own enumerable fields holding modules, arrays of modules, and plain records of modules.
 * Paths are dotted (`generate.predict`, `hops.0`); the first path to reach an object wins.
 */
export function walkTree<T extends object>(
  root: object,
  isNode: (value: unknown) => value is T,
  isLeaf: (node: T) => boolean,
  visit: (path: string, node: T) => void,
): void {
  const seen = new Set<object>([root]);
  const walkValue = (path: string, value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    if (isNode(value)) {
      seen.add(value);
      visit(path, value);
      if (!isLeaf(value)) walkFields(path, value);
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walkValue(`${path}.${i}`, item);
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) walkValue(`${path}.${key}`, item);
    }
  };
  const walkFields = (prefix: string, node: object): void => {
    for (const [key, value] of Object.entries(node)) walkValue(prefix ? `${prefix}.${key}` : key, value);
  };
  walkFields('', root);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Objects that hold learnable text but are not modules (e.g. tools) implement this to be copied by `clone()`
 * instead of shared.
 */
export const cloneParameters: unique symbol = Symbol.for('tsdspy.cloneParameters');

export interface ParameterHolder {
  [cloneParameters](): object;
}

function isParameterHolder(value: object): value is ParameterHolder {
  return typeof (value as Partial<ParameterHolder>)[cloneParameters] === 'function';
}

/**
 * Copies a module's parameters: nested modules are cloned, arrays and plain records are copied deeply,
 * parameter holders (tools) copy themselves, anything else (LM clients, zod schemas, signatures, functions, other
 * class instances) is shared.
 * `memo` keeps aliasing: an object reached twice is copied once.
 */
export function cloneMember(value: unknown, memo: Map<object, object>, cloneNode: (node: object) => object | undefined): unknown {
  if (value === null || typeof value !== 'object') return value;
  const seen = memo.get(value);
  if (seen) return seen;
  const cloned = cloneNode(value);
  if (cloned !== undefined) return cloned;
  if (isParameterHolder(value)) {
    const copy = value[cloneParameters]();
    memo.set(value, copy);
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const item of value) copy.push(cloneMember(item, memo, cloneNode));
    return copy;
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    memo.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = cloneMember(item, memo, cloneNode);
    return copy;
  }
  return value;
}
