import { anthropicProvider } from './anthropic.js';
import { ollamaProvider, openAIProvider } from './openai.js';
import { registerProvider } from './provider.js';

registerProvider('openai', openAIProvider);
registerProvider('anthropic', anthropicProvider);
registerProvider('ollama', ollamaProvider);

export { anthropicProvider } from './anthropic.js';
export { ollamaProvider, openAIProvider } from './openai.js';
export * from './provider.js';
