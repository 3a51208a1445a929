export * from './embedder.js';
export * from './embeddings.js';
export * from './errors.js';
export * from './lancedb.js';
export * from './retriever.js';
export { topK } from './top-k.js';
