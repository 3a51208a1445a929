import { ChainOfThought, captureTrace, chatReply, configure, Module, Predict, ScriptedLM } from 'tsdspy';

// Any LanguageModel works here; ScriptedLM replays canned replies (use it in your own tests).
configure({
  lm: new ScriptedLM([
    chatReply({ query: 'Everest height' }),
    chatReply({ reasoning: 'The passage says 8849 m.', answer: 8849 }),
  ]),
});

const search = async (q: string) => [`${q}: Mount Everest is 8849 metres tall.`];

class RAG extends Module<{ question: string }, { answer: number }> {
  query = new Predict('question -> query "keywords to search for"');
  answer = new ChainOfThought('question, passages: string[] -> answer: number');

  async forward({ question }: { question: string }) {
    const { query } = await this.query.call({ question }); // query: string
    const passages = await search(query);
    const { answer } = await this.answer.call({ question, passages }); // answer: number, inferred
    return { answer };
  }
}

const program = new RAG();
program.answer.instructions = 'Answer with the number only.'; // instructions are parameters
const { result, trace } = await captureTrace(() => program.call({ question: 'How tall is Everest?' }));
console.log(
  result.answer,
  trace.map((t) => t.predictorName),
); // 8849 [ 'query', 'answer.predict' ]
console.log(JSON.stringify(program.dumpState().predictors['answer.predict']?.instructions)); // what save() writes
