/** Loads the GSM8K slices shipped in examples/data/gsm8k/ (MIT license, see the README there). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Example } from 'tsdspy';

const dir = fileURLToPath(new URL('./gsm8k/', import.meta.url));

function readJsonl<T>(file: string): T[] {
  return readFileSync(`${dir}${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

/** The number after `#### ` on the answer's last line, as written (commas removed). */
export function goldNumber(answer: string): string {
  return (answer.split('####').at(-1) ?? '').trim().replace(/,/g, '');
}

export interface MathExample {
  question: string;
  /** The gold number as text. */
  answer: string;
  /** The reference solution (worked steps). */
  solution: string;
}

export function loadGsm8k(split: 'train' | 'test'): Example<MathExample>[] {
  const rows = readJsonl<{ question: string; answer: string }>(split === 'train' ? 'train-200.jsonl' : 'test-100.jsonl');
  return rows.map((r) =>
    new Example<MathExample>({ question: r.question, answer: goldNumber(r.answer), solution: r.answer }).withInputs('question'),
  );
}

export type SolutionModel = '6b_finetuning' | '6b_verification' | '175b_finetuning' | '175b_verification';

export interface RecordedSolutions {
  question: string;
  ground_truth: string;
  [model: string]: unknown;
}

/** Recorded model solutions for the 100 test questions, with their `is_correct` flags. */
export function loadRecordedSolutions(): Array<
  RecordedSolutions & Record<SolutionModel, { is_correct: boolean; solution: string }>
> {
  return readJsonl('model-solutions-100.jsonl');
}
