/** One passage of a corpus: a plain string, or a record with an id and metadata. */
export type CorpusItem = string | { id?: string; text: string; metadata?: Record<string, unknown> };

/** A corpus item in its full form, as retrievers return it. */
export interface Passage {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
}

/** What a retriever returns for one query, best first. */
export interface RetrieverResult {
  passages: string[];
  /** Positions in the corpus the retriever was built from (or row ids for a database). */
  indices: number[];
  /** Higher is closer (cosine similarity for the built-in retrievers). */
  scores: number[];
  items: Passage[];
}

/** Anything that finds passages for a query: the built-in retrievers, or your own. */
export interface Retriever {
  call(query: string, options?: { k?: number; signal?: AbortSignal }): Promise<RetrieverResult>;
}

/** A user's search function, as `(query, k) => passages` (strings or corpus items). */
export type RetrieverFunction = (query: string, k: number) => Promise<readonly CorpusItem[]> | readonly CorpusItem[];

export function toPassage(item: CorpusItem, index: number): Passage {
  if (typeof item === 'string') return { id: String(index), text: item };
  return { id: item.id ?? String(index), text: item.text, ...(item.metadata ? { metadata: item.metadata } : {}) };
}

/** Wraps a function (or passes a retriever through) so both fit the `Retriever` interface. */
export function asRetriever(source: Retriever | RetrieverFunction, defaultK = 5): Retriever {
  if (typeof source !== 'function') return source;
  return {
    async call(query, options = {}) {
      const k = options.k ?? defaultK;
      const found = (await source(query, k)).slice(0, k).map(toPassage);
      return {
        passages: found.map((p) => p.text),
        indices: found.map((_, i) => i),
        scores: found.map((_, i) => 1 - i / Math.max(1, found.length)),
        items: found,
      };
    },
  };
}
