import { GEPAConfigError } from '../errors.js';
import type { ReflectiveRecord } from '../types.js';

export const CURRENT_TEXT_PLACEHOLDER = '<curr_param>';
export const SIDE_INFO_PLACEHOLDER = '<side_info>';

/** The engine's default reflection prompt. `<curr_param>` is the component's text, `<side_info>` the examples. */
export const DEFAULT_REFLECTION_TEMPLATE = `You are improving one component of a system: a text that steers how the system behaves.

The component currently reads:
\`\`\`
<curr_param>
\`\`\`

Here are examples of the system running with this text: what it received, what it produced, and feedback on the result.

<side_info>

Work out what the text should say so that the failures are fixed and the successes are kept: the task's rules, facts the feedback reveals that the system could not know, the expected output format, and strategies that worked. Keep whatever in the current text is still right, and make the text self-contained.

Write the complete new text of the component inside one \`\`\` block, and nothing else inside the block.`;

export type ReflectionTemplateOption = string | Record<string, string>;

/** Checks that every template has both placeholders and names only known components. */
export function validateReflectionTemplate(option: ReflectionTemplateOption | undefined, components: readonly string[]): void {
  if (option === undefined) return;
  const entries = typeof option === 'string' ? [['(all components)', option] as const] : Object.entries(option);
  for (const [component, template] of entries) {
    if (typeof option !== 'string' && !components.includes(component)) {
      throw new GEPAConfigError(
        `reflectionPromptTemplate names component "${component}", which the seed candidate does not have (${components.join(', ')})`,
      );
    }
    for (const placeholder of [CURRENT_TEXT_PLACEHOLDER, SIDE_INFO_PLACEHOLDER]) {
      if (!template.includes(placeholder)) {
        throw new GEPAConfigError(`reflectionPromptTemplate for ${component} must contain ${placeholder}`);
      }
    }
  }
}

export function templateFor(option: ReflectionTemplateOption | undefined, component: string): string {
  if (option === undefined) return DEFAULT_REFLECTION_TEMPLATE;
  if (typeof option === 'string') return option;
  return option[component] ?? DEFAULT_REFLECTION_TEMPLATE;
}

export function buildReflectionPrompt(template: string, currentText: string, records: readonly ReflectiveRecord[]): string {
  // Function replacers: `$` sequences in user text must not be read as replacement patterns.
  return template
    .replace(CURRENT_TEXT_PLACEHOLDER, () => currentText)
    .replace(SIDE_INFO_PLACEHOLDER, () => renderRecords(records));
}

/** Renders reflective records as numbered markdown sections; nested objects become sub-headings. */
export function renderRecords(records: readonly ReflectiveRecord[]): string {
  return records.map((record, i) => `# Example ${i + 1}\n${renderValue(record, 2)}`).join('\n\n');
}

function renderValue(value: unknown, level: number): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value, null, 2) ?? String(value);
  const heading = '#'.repeat(Math.min(level, 6));
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => `${heading} ${key}\n${renderValue(inner, level + 1)}`)
    .join('\n');
}

/**
 * The new text from a reflection reply, with gepa's code-block rules: the text between the first and the last
 * ``` of the reply (so nested blocks stay inside), minus a language tag on the opening line; a reply with a single
 * fence drops it (opening fence with its tag, or closing fence); a reply with no fence is used whole. Always trimmed.
 * May return '' (for example a reply that is only a fence): the proposer never uses an empty text.
 */
export function extractFencedText(reply: string): string {
  const first = reply.indexOf('```');
  const start = first + 3;
  const end = reply.lastIndexOf('```');
  if (start >= end) {
    const stripped = reply.trim();
    if (stripped.startsWith('```')) {
      const opening = /^```\S*\n?/.exec(reply);
      if (opening) return reply.slice(opening[0].length).trim();
    } else if (stripped.endsWith('```')) {
      return stripped.slice(0, -3).trim();
    }
    return stripped;
  }
  const content = reply.slice(start, end);
  const tag = /^\S*\n/.exec(content);
  return (tag ? content.slice(tag[0].length) : content).trim();
}
