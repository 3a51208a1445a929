/** Default reflection prompt for a predictor's instructions. */
export const INSTRUCTION_REFLECTION_TEMPLATE = `I gave an assistant the following instructions for one step of a larger program:
\`\`\`
<curr_param>
\`\`\`

Below are examples of this step running: the inputs it received, the outputs it generated, and feedback on how the program did. Some feedback is about the program's final answer rather than this step alone.

<side_info>

Your task: write new instructions for this step.

First read the inputs carefully and work out the input format and the task in detail. Then study the feedback: it may contain facts about the domain, rules the answers must follow, or details of the expected output format that the assistant could not have known. Put every such piece of knowledge into the new instructions, stated generally enough to help on future inputs, not only these examples. If the assistant used a strategy that worked, describe it so it is used again. If an output failed to parse, state the required output structure exactly.

Write the complete new instructions inside one \`\`\` block.`;

/** Default reflection prompt for a tool's description or one of its argument descriptions (`<target>` names which). */
export const TOOL_REFLECTION_TEMPLATE = `An agent chooses tools by reading their descriptions. This is the current <target>:
\`\`\`
<curr_param>
\`\`\`

Here are steps the agent took with its tools, and feedback on how the task went:

<side_info>

Write a better description: say precisely what the tool (or argument) does, when the agent should use it and when not, what input it expects, and what it returns, so that the mistakes above are not repeated. Keep it short.

Write only the new description inside one \`\`\` block.`;

/** The tool template for one component, e.g. `tools.search.args.q` → "description of the argument `q` of the tool `search`". */
export function toolTemplateFor(component: string): string {
  const match = /tools\.([^.]+)\.(?:description|args\.([^.]+))$/.exec(component);
  const target = match?.[2]
    ? `description of the argument \`${match[2]}\` of the tool \`${match[1]}\``
    : `description of the tool \`${match?.[1] ?? component}\``;
  return TOOL_REFLECTION_TEMPLATE.replace('<target>', target);
}
