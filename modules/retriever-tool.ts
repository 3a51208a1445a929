import { z } from 'zod';
import { asRetriever, type Retriever, type RetrieverFunction } from '../src/retrieval/retriever.js';
import { Tool } from './tool.js';

export interface RetrieverToolOptions {
  /** Tool name (default `search`). */
  name?: string;
  /** What the agent reads about the tool (optimizable like any tool description). */
  description?: string;
  /** Passages per search (default: the retriever's own k). */
  k?: number;
}

/** A retriever as a ReAct tool: one `query` argument, the passages as the observation. */
export function retrieverTool(retriever: Retriever | RetrieverFunction, options: RetrieverToolOptions = {}): Tool {
  const source = asRetriever(retriever);
  return new Tool({
    name: options.name ?? 'search',
    description: options.description ?? 'Searches the corpus and returns the most relevant passages.',
    parameters: z.object({ query: z.string().describe('What to search for') }),
    async execute({ query }) {
      const { passages } = await source.call(query, options.k !== undefined ? { k: options.k } : {});
      return passages;
    },
  });
}
