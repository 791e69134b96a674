// The official OpenTelemetry OpenAI instrumentation around the openai client, talking to a fake
// Chat Completions server. The instrumentation emits `chat <model>` spans and GenAI event log
// records; it does not see tool execution, so the application wraps each tool in an
// `execute_tool <name>` span as the GenAI semantic conventions describe. User and session ids are
// resource attributes (session.id, user.id): the instrumentation has no per-call way to carry them.
import { createRequire } from 'node:module';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { startFakeOpenAI } from './lib/fake-openai.mjs';
import { FINAL_ANSWER, MODEL_ID, SYSTEM_PROMPT, TOOL_FUNCTIONS, USER_PROMPT } from './lib/scenario.mjs';
import { clientEnv, runClient, startTelemetry } from './lib/telemetry.mjs';

const toolDefinitions = [
  {
    type: 'function',
    function: {
      name: 'getWeather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'deleteFile',
      description: 'Delete a file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  },
];

// Runs one tool call inside an execute_tool span and returns the tool message for the model.
async function executeTool(tracer, call) {
  return tracer.startActiveSpan(`execute_tool ${call.function.name}`, async (span) => {
    span.setAttributes({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': call.function.name,
      'gen_ai.tool.call.id': call.id,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.arguments': call.function.arguments,
    });
    try {
      const result = JSON.stringify(await TOOL_FUNCTIONS[call.function.name](JSON.parse(call.function.arguments)));
      span.setAttribute('gen_ai.tool.call.result', result);
      return { role: 'tool', tool_call_id: call.id, content: result };
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span.setAttribute('error.type', err.name);
      return { role: 'tool', tool_call_id: call.id, content: `Error: ${err.message}` };
    } finally {
      span.end();
    }
  });
}

runClient(async () => {
  const env = clientEnv();
  const telemetry = await startTelemetry({
    env,
    serviceName: 'openai-agent',
    resourceAttributes: { 'session.id': env.sessionId, 'user.id': env.userId },
  });
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });
  // Loaded after the instrumentation is registered, through require, which it patches.
  const { OpenAI } = createRequire(import.meta.url)('openai');
  const fake = await startFakeOpenAI();
  const tracer = trace.getTracer('openai-agent');
  // One plain span around the agent's turn, as a request handler would have, so that the turn's
  // model calls, tools and events share a trace.
  await tracer.startActiveSpan('agent turn', async (turn) => {
    try {
      await agentTurn(OpenAI, fake.baseURL, tracer);
    } finally {
      turn.end();
      await fake.close();
    }
  });
  await telemetry.shutdown();
});

// The scenario with the openai client: tool calls, tool execution, final answer.
async function agentTurn(OpenAI, baseURL, tracer) {
  const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL, maxRetries: 0 });
  const messages = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: USER_PROMPT },
  ];
  const first = await client.chat.completions.create({ model: MODEL_ID, messages, tools: toolDefinitions });
  const request = first.choices[0].message;
  if (request.tool_calls?.length !== 2) throw new Error(`want 2 tool calls, got ${JSON.stringify(request)}`);
  messages.push(request);
  for (const call of request.tool_calls) messages.push(await executeTool(tracer, call));
  const second = await client.chat.completions.create({ model: MODEL_ID, messages, tools: toolDefinitions });
  const text = second.choices[0].message.content;
  if (text !== FINAL_ANSWER) throw new Error(`unexpected final text: ${JSON.stringify(text)}`);
}
