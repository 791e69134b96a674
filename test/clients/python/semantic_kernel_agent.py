"""Semantic Kernel with its own GenAI diagnostics (SEMANTICKERNEL_EXPERIMENTAL_GENAI_ENABLE_OTEL_DIAGNOSTICS
and _SENSITIVE, set here before the kernel is imported, as an application sets them): a
ChatCompletionAgent over SK's OpenAI connector pointed at the fake model server, the two tools a
plugin whose functions the kernel invokes automatically. deleteFile raises: SK tells the model the
function failed and marks its execute_tool span failed. SK names no session or user; the
application's enclosing span carries them (session.id, user.id). SK reports to the global tracer
provider, so the script installs its OTLP one there, and the messages as Python log records."""

import asyncio
import os
import sys

os.environ.setdefault("SEMANTICKERNEL_EXPERIMENTAL_GENAI_ENABLE_OTEL_DIAGNOSTICS", "true")
os.environ.setdefault("SEMANTICKERNEL_EXPERIMENTAL_GENAI_ENABLE_OTEL_DIAGNOSTICS_SENSITIVE", "true")

import scenario  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402
from opentelemetry import trace  # noqa: E402

provider = scenario.otlp_tracer_provider()
trace.set_tracer_provider(provider)
# SK writes the messages (gen_ai.*.message and gen_ai.choice events) as Python log records of its
# model diagnostics logger, in the current span; its docs export them with a LoggingHandler.
log_provider = scenario.otlp_logging("semantic_kernel.utils.telemetry.model_diagnostics")

from semantic_kernel.agents import ChatCompletionAgent  # noqa: E402
from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion  # noqa: E402
from semantic_kernel.functions import kernel_function  # noqa: E402


class Tools:
    """The scenario's tools as a Semantic Kernel plugin."""

    @kernel_function(name="getWeather", description="Returns the weather in a city.")
    def get_weather(self, city: str) -> dict:
        return scenario.get_weather(city)

    @kernel_function(name="deleteFile", description="Deletes a file.")
    def delete_file(self, path: str) -> str:
        return scenario.delete_file(path)


agent = ChatCompletionAgent(
    name="weather-agent",
    instructions=scenario.SYSTEM_PROMPT,
    service=OpenAIChatCompletion(ai_model_id=scenario.MODEL_ID, async_client=AsyncOpenAI(base_url=scenario.OPENAI_BASE_URL, api_key="test-key")),
    plugins=[Tools()],
)


async def run() -> str:
    response = await agent.get_response(messages=scenario.USER_PROMPT)
    return str(response.content)


def main() -> int:
    tracer = provider.get_tracer("weather-app")
    with tracer.start_as_current_span("handle request", attributes={"session.id": scenario.SESSION_ID, "user.id": scenario.USER_ID}):
        answer = asyncio.run(run())
    for p in (provider, log_provider):
        p.force_flush()
        p.shutdown()
    return scenario.exit_code(answer)


if __name__ == "__main__":
    sys.exit(main())
