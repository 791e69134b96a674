// Vercel AI SDK 6: legacy ai.* spans (ai.generateText, ai.generateText.doGenerate, ai.toolCall),
// enabled per call with experimental_telemetry; user and session ids travel as telemetry metadata.
import { generateText, stepCountIs, tool } from 'ai-v6';
import { MockLanguageModelV3 } from 'ai-v6/test';
import { SYSTEM_PROMPT, USER_PROMPT } from './lib/scenario.mjs';
import { clientEnv, runClient, startTelemetry } from './lib/telemetry.mjs';
import { checkResult, scenarioModelOptions, scenarioTools } from './lib/vercel.mjs';

runClient(async () => {
  const env = clientEnv();
  const telemetry = await startTelemetry({ env, serviceName: 'vercel-ai-v6-agent' });
  const result = await generateText({
    model: new MockLanguageModelV3(scenarioModelOptions()),
    system: SYSTEM_PROMPT,
    prompt: USER_PROMPT,
    tools: scenarioTools(tool),
    stopWhen: stepCountIs(5),
    experimental_telemetry: {
      isEnabled: true,
      functionId: 'weather-agent',
      metadata: { userId: env.userId, sessionId: env.sessionId },
    },
  });
  checkResult(result);
  await telemetry.shutdown();
});
