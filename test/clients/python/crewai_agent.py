"""CrewAI instrumented with OpenInference (openinference-instrumentation-crewai and -openai), one agent and one
task in a crew, its native OpenAI provider pointed at the fake model server. CrewAI builds its own
prompts around the scenario's (the system prompt is the agent's backstory, the user prompt the
task's description). deleteFile raises: CrewAI tells the model the tool failed. Session and user
via OpenInference's using_session and using_user. CrewAI's own telemetry is off (no network)."""

import os
import sys

os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
os.environ.setdefault("OTEL_SDK_DISABLED", "false")

import scenario  # noqa: E402
from crewai import LLM, Agent, Crew, Task  # noqa: E402
from crewai.tools import tool  # noqa: E402
from openinference.instrumentation import using_session, using_user  # noqa: E402
from openinference.instrumentation.crewai import CrewAIInstrumentor  # noqa: E402
from openinference.instrumentation.openai import OpenAIInstrumentor  # noqa: E402

provider = scenario.otlp_tracer_provider()
CrewAIInstrumentor().instrument(tracer_provider=provider)
# CrewAI's native OpenAI provider calls the openai SDK, whose calls (model, messages, tokens) only
# OpenInference's OpenAI instrumentation traces; CrewAIInstrumentor traces crew, agent and tools.
OpenAIInstrumentor().instrument(tracer_provider=provider)


@tool("getWeather")
def get_weather(city: str) -> dict:
    """Returns the weather in a city."""
    return scenario.get_weather(city)


@tool("deleteFile")
def delete_file(path: str) -> str:
    """Deletes a file."""
    return scenario.delete_file(path)


llm = LLM(model=scenario.MODEL_ID, provider="openai", base_url=scenario.OPENAI_BASE_URL, api_key="test-key")
agent = Agent(
    role="weather-agent", goal="Answer the user's request.", backstory=scenario.SYSTEM_PROMPT,
    tools=[get_weather, delete_file], llm=llm, allow_delegation=False, max_iter=3,
)
task = Task(description=scenario.USER_PROMPT, expected_output="The answer to the user.", agent=agent)
crew = Crew(name="weather-crew", agents=[agent], tasks=[task])


def main() -> int:
    with using_session(scenario.SESSION_ID), using_user(scenario.USER_ID):
        result = crew.kickoff()
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(str(result.raw))


if __name__ == "__main__":
    sys.exit(main())
