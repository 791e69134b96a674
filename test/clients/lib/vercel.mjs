// The scenario as a Vercel AI SDK mock model and tool set. The mock result shapes are the same for
// LanguageModelV3 (ai 6) and V4 (ai 7); the tool() helper comes from the ai version under test.
import { z } from 'zod';
import { FINAL_ANSWER, MODEL_ID, TOOL_CALLS, TOOL_FUNCTIONS, USAGE } from './scenario.mjs';

function usage({ input, output }) {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** doGenerate for the mock model: tool calls on the first turn, the final answer on the second. */
export function scenarioModelOptions() {
  let turn = 0;
  return {
    provider: 'mock-provider',
    modelId: MODEL_ID,
    doGenerate: async () => {
      const current = turn++;
      const response = { id: `resp-${current + 1}`, modelId: MODEL_ID, timestamp: new Date() };
      if (current === 0) {
        return {
          content: TOOL_CALLS.map((c) => ({
            type: 'tool-call',
            toolCallId: c.id,
            toolName: c.name,
            input: JSON.stringify(c.args),
          })),
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: usage(USAGE[0]),
          response,
          warnings: [],
        };
      }
      return {
        content: [{ type: 'text', text: FINAL_ANSWER }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(USAGE[1]),
        response,
        warnings: [],
      };
    },
  };
}

/** The scenario's tools, built with the tool() helper of the ai version under test. */
export function scenarioTools(tool) {
  return {
    getWeather: tool({
      description: 'Current weather for a city',
      inputSchema: z.object({ city: z.string() }),
      execute: TOOL_FUNCTIONS.getWeather,
    }),
    deleteFile: tool({
      description: 'Delete a file',
      inputSchema: z.object({ path: z.string() }),
      execute: TOOL_FUNCTIONS.deleteFile,
    }),
  };
}

/** Fails unless the framework ran the scenario as intended: two steps ending in the final answer. */
export function checkResult(result) {
  if (result.text !== FINAL_ANSWER) throw new Error(`unexpected final text: ${JSON.stringify(result.text)}`);
  if (result.steps.length !== 2) throw new Error(`want 2 steps, got ${result.steps.length}`);
}
