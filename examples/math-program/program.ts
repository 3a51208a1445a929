// The seed program for full program evolution: one Predict step, no reasoning, no checks.
import { Module, Predict } from 'tsdspy';

class MathSolver extends Module<{ question: string }, { answer: string }> {
  solve = new Predict('question -> answer "the final number"');

  async forward({ question }: { question: string }) {
    const { answer } = await this.solve.call({ question });
    return { answer };
  }
}

export default new MathSolver();
