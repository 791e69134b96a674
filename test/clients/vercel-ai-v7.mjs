// Vercel AI SDK 7: GenAI semconv spans (invoke_agent, step N, chat, execute_tool) from the
// @ai-sdk/otel integration, which must be registered: experimental_telemetry alone emits nothing
// in v7. v7 has no telemetry metadata; user and session ids go in the runtime context, which the
// integration (runtimeContext: true) writes onto spans as ai.settings.context.userId / .sessionId.
import { OpenTelemetry } from '@ai-sdk/otel';
import { generateText, registerTelemetry, stepCountIs, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { SYSTEM_PROMPT, USER_PROMPT } from './lib/scenario.mjs';
import { clientEnv, runClient, startTelemetry } from './lib/telemetry.mjs';
import { checkResult, scenarioModelOptions, scenarioTools } from './lib/vercel.mjs';

runClient(async () => {
  const env = clientEnv();
  const telemetry = await startTelemetry({ env, serviceName: 'vercel-ai-v7-agent' });
  registerTelemetry(
    new OpenTelemetry({ runtimeContext: true }),
  );
  const result = await generateText({
    model: new MockLanguageModelV4(scenarioModelOptions()),
    system: SYSTEM_PROMPT,
    prompt: USER_PROMPT,
    tools: scenarioTools(tool),
    stopWhen: stepCountIs(5),
    runtimeContext: { userId: env.userId, sessionId: env.sessionId },
    telemetry: { functionId: 'weather-agent', includeRuntimeContext: { userId: true, sessionId: true } },
  });
  checkResult(result);
  await telemetry.shutdown();
});
