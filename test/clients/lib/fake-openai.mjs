// A small fake OpenAI Chat Completions server on 127.0.0.1: it answers the scenario's first turn
// with the two tool calls and, once the request carries tool results, with the final answer.
import http from 'node:http';
import { FINAL_ANSWER, MODEL_ID, TOOL_CALLS, USAGE } from './scenario.mjs';

function completion(turn, message, finishReason) {
  const { input, output } = USAGE[turn];
  return {
    id: `chatcmpl-${turn + 1}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL_ID,
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
  };
}

function answer(request) {
  const hasToolResults = request.messages.some((m) => m.role === 'tool');
  if (!hasToolResults) {
    return completion(
      0,
      {
        role: 'assistant',
        content: null,
        tool_calls: TOOL_CALLS.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: JSON.stringify(c.args) },
        })),
      },
      'tool_calls',
    );
  }
  return completion(1, { role: 'assistant', content: FINAL_ANSWER }, 'stop');
}

/** Starts the server; resolves to { baseURL, close() }. */
export async function startFakeOpenAI() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(JSON.parse(body))));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    baseURL: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
