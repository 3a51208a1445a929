import { GEPAConfigError } from './errors.js';
import type { DataId, DataLoader } from './types.js';

/** A dataset resolved to its ids and a fetch function. */
export interface ResolvedData<D> {
  /** `train` or `val`; keeps cache keys of the two sets apart (same name when the valset is the trainset). */
  name: string;
  ids: DataId[];
  fetch(ids: readonly DataId[]): Promise<D[]>;
}

export function isDataLoader<D>(value: unknown): value is DataLoader<D> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'ids' in value && 'fetch' in value;
}

export async function resolveData<D>(data: readonly D[] | DataLoader<D>, name: string): Promise<ResolvedData<D>> {
  if (isDataLoader<D>(data)) {
    const ids = [...(await data.ids())];
    if (ids.length === 0) throw new GEPAConfigError(`${name} is empty: its loader returned no ids`);
    if (new Set(ids).size !== ids.length) throw new GEPAConfigError(`${name} loader returned duplicate ids`);
    return {
      name,
      ids,
      fetch: async (wanted) => {
        const items = [...(await data.fetch(wanted))];
        if (items.length !== wanted.length) {
          throw new GEPAConfigError(`${name} loader returned ${items.length} items for ${wanted.length} ids`);
        }
        return items;
      },
    };
  }
  if (!Array.isArray(data) || data.length === 0) throw new GEPAConfigError(`${name} is empty; give at least one example`);
  const items = data as readonly D[];
  return {
    name,
    ids: items.map((_, i) => i),
    fetch: async (wanted) => wanted.map((id) => items[id as number] as D),
  };
}
