/** Renders one evaluation's side information for reflection, cut to a character budget with a visible note. */
export function truncate(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const head = Math.floor(budget * 0.7);
  const tail = budget - head;
  return `${text.slice(0, head)}\n[… ${text.length - budget} characters cut …]\n${text.slice(text.length - tail)}`;
}

export function renderInfo(info: Record<string, unknown>): string {
  return Object.entries(info)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`)
    .join('\n');
}
