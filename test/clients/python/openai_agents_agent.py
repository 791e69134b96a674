"""The OpenAI Agents SDK instrumented with OpenInference (openinference-instrumentation-openai-agents),
its chat-completions model pointed at the fake model server; the SDK's own trace export to OpenAI is
replaced by OpenInference's processor. Session and user via OpenInference's using_session and
using_user. deleteFile raises: the SDK reports the failure to the model (failure_error_function)
and marks the tool span failed."""

import asyncio
import sys

import scenario
from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_trace_processors
from openai import AsyncOpenAI
from openinference.instrumentation import using_session, using_user
from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor

provider = scenario.otlp_tracer_provider()
set_trace_processors([])  # nothing to OpenAI's trace API
OpenAIAgentsInstrumentor().instrument(tracer_provider=provider)


@function_tool(name_override="getWeather")
def get_weather(city: str) -> dict:
    """Returns the weather in a city."""
    return scenario.get_weather(city)


def tell_the_model(ctx, error: Exception) -> str:
    """The failure message the model gets; with the SDK's default one the trace shows only
    "Tool execution failed. Error details are redacted."."""
    return f"error: {error}"


@function_tool(name_override="deleteFile", failure_error_function=tell_the_model)
def delete_file(path: str) -> str:
    """Deletes a file."""
    return scenario.delete_file(path)


agent = Agent(
    name="weather-agent",
    instructions=scenario.SYSTEM_PROMPT,
    tools=[get_weather, delete_file],
    model=OpenAIChatCompletionsModel(model=scenario.MODEL_ID, openai_client=AsyncOpenAI(base_url=scenario.OPENAI_BASE_URL, api_key="test-key")),
)


def main() -> int:
    with using_session(scenario.SESSION_ID), using_user(scenario.USER_ID):
        result = asyncio.run(Runner.run(agent, scenario.USER_PROMPT))
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(result.final_output)


if __name__ == "__main__":
    sys.exit(main())
