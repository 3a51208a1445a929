/** Picks the examples' LM: a real provider when an API key is set, else the example's simulated LM (and says so). */
import { type LanguageModel, LM } from 'tsdspy';

export function exampleLM(simulated: LanguageModel, description: string): { lm: LanguageModel; simulated: boolean } {
  const model = process.env.TSDSPY_EXAMPLE_MODEL;
  if (process.env.OPENAI_API_KEY) return announce(new LM(model ?? 'openai/gpt-4.1-mini'));
  if (process.env.ANTHROPIC_API_KEY) return announce(new LM(model ?? 'anthropic/claude-haiku-4-5'));
  console.log(`Running on a ScriptedLM (${description}); no API key is set, so no model is called.\n`);
  return { lm: simulated, simulated: true };
}

function announce(lm: LM) {
  console.log(`Running on ${lm.model} (API key found in the environment).\n`);
  return { lm, simulated: false };
}
