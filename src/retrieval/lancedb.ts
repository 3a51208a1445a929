import type { Embedder } from './embedder.js';
import { MissingDependencyError, RetrieverError } from './errors.js';
import { type CorpusItem, type Passage, type Retriever, type RetrieverResult, toPassage } from './retriever.js';

export interface LanceDBRetrieverOptions {
  /** A local directory (or any URI LanceDB connects to). */
  uri: string;
  table: string;
  embedder: Embedder;
  /** Passages per query (default 5). */
  k?: number;
}

// The few parts of @lancedb/lancedb used here, typed locally so the package stays an optional peer dependency.
interface LanceRow {
  row: number;
  id: string;
  text: string;
  metadata: string;
  _distance?: number;
}
interface LanceQuery {
  distanceType(type: 'cosine'): LanceQuery;
  limit(n: number): LanceQuery;
  toArray(): Promise<LanceRow[]>;
}
interface LanceTable {
  add(rows: Record<string, unknown>[]): Promise<unknown>;
  countRows(): Promise<number>;
  vectorSearch(vector: number[]): LanceQuery;
}
interface LanceConnection {
  tableNames(): Promise<string[]>;
  openTable(name: string): Promise<LanceTable>;
  createTable(name: string, rows: Record<string, unknown>[], options?: { mode?: 'create' | 'overwrite' }): Promise<LanceTable>;
}

async function connect(uri: string): Promise<LanceConnection> {
  let lancedb: { connect(uri: string): Promise<unknown> };
  try {
    lancedb = (await import('@lancedb/lancedb')) as unknown as typeof lancedb;
  } catch {
    throw new MissingDependencyError('@lancedb/lancedb', 'LanceDBRetriever');
  }
  return (await lancedb.connect(uri)) as LanceConnection;
}

/**
 * A persistent retriever on LanceDB, for corpora that do not fit in memory. Rows hold the passage, its metadata and
 * its vector; search is by cosine distance. `create` replaces the table, `add` appends, `call` searches.
 */
export class LanceDBRetriever implements Retriever {
  readonly uri: string;
  readonly tableName: string;
  readonly embedder: Embedder;
  readonly k: number;
  private connection?: Promise<LanceConnection>;
  private table?: LanceTable;

  constructor(options: LanceDBRetrieverOptions) {
    if (!options?.uri || !options.table) throw new RetrieverError('LanceDBRetriever needs { uri, table, embedder }');
    this.uri = options.uri;
    this.tableName = options.table;
    this.embedder = options.embedder;
    this.k = options.k ?? 5;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RetrieverError('k must be a positive integer');
  }

  /** Replaces the table's contents with `corpus` (embedded now). */
  async create(corpus: readonly CorpusItem[]): Promise<void> {
    const rows = await this.rows(corpus, 0);
    const db = await this.db();
    this.table = await db.createTable(this.tableName, rows, { mode: 'overwrite' });
  }

  /** Appends passages (creating the table if it does not exist yet). */
  async add(corpus: readonly CorpusItem[]): Promise<void> {
    const table = await this.openOrNull();
    if (!table) return this.create(corpus);
    const rows = await this.rows(corpus, await table.countRows());
    await table.add(rows);
  }

  async count(): Promise<number> {
    return (await this.openTable()).countRows();
  }

  async call(query: string, options: { k?: number; signal?: AbortSignal } = {}): Promise<RetrieverResult> {
    if (typeof query !== 'string') throw new RetrieverError(`A query must be a string, got ${typeof query}`);
    const k = options.k ?? this.k;
    const table = await this.openTable();
    const vector = await this.embedder.embedOne(query, options.signal ? { signal: options.signal } : {});
    const found = await table.vectorSearch(Array.from(vector)).distanceType('cosine').limit(k).toArray();
    const items: Passage[] = found.map((row) => ({
      id: row.id,
      text: row.text,
      ...(row.metadata && row.metadata !== '{}' ? { metadata: JSON.parse(row.metadata) as Record<string, unknown> } : {}),
    }));
    return {
      passages: items.map((p) => p.text),
      indices: found.map((row) => Number(row.row)),
      scores: found.map((row) => 1 - (row._distance ?? 1)),
      items,
    };
  }

  private db(): Promise<LanceConnection> {
    this.connection ??= connect(this.uri);
    return this.connection;
  }

  private async openOrNull(): Promise<LanceTable | null> {
    if (this.table) return this.table;
    const db = await this.db();
    if (!(await db.tableNames()).includes(this.tableName)) return null;
    this.table = await db.openTable(this.tableName);
    return this.table;
  }

  private async openTable(): Promise<LanceTable> {
    const table = await this.openOrNull();
    if (!table) {
      throw new RetrieverError(
        `LanceDB table "${this.tableName}" does not exist at ${this.uri}. Call create(corpus) or add(corpus) first.`,
      );
    }
    return table;
  }

  private async rows(corpus: readonly CorpusItem[], offset: number): Promise<Record<string, unknown>[]> {
    if (!Array.isArray(corpus) || corpus.length === 0) throw new RetrieverError('Give at least one passage.');
    const passages = corpus.map((item, i) => toPassage(item, offset + i));
    const vectors = await this.embedder.embed(passages.map((p) => p.text));
    return passages.map((p, i) => ({
      row: offset + i,
      id: p.id,
      text: p.text,
      metadata: JSON.stringify(p.metadata ?? {}),
      vector: Array.from(vectors[i] as Float32Array),
    }));
  }
}
