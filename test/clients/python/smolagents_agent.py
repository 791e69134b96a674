"""smolagents' ToolCallingAgent instrumented with OpenInference (openinference-instrumentation-smolagents),
its OpenAIModel pointed at the fake model server. smolagents ends a run only through its own
final_answer tool, so the fake server answers a smolagents request that follows tool results with a
final_answer call (fakeopenai_test.go). deleteFile raises: smolagents tells the model the tool
failed (the step's error) and marks the tool span failed. Session and user via OpenInference's
using_session and using_user. Own virtualenv (.venv-smolagents)."""

import sys

import scenario
from openinference.instrumentation import using_session, using_user
from openinference.instrumentation.smolagents import SmolagentsInstrumentor
from smolagents import OpenAIModel, ToolCallingAgent, tool

provider = scenario.otlp_tracer_provider()
SmolagentsInstrumentor().instrument(tracer_provider=provider)


@tool
def getWeather(city: str) -> dict:  # noqa: N802 (the scenario's tool name)
    """Returns the weather in a city.

    Args:
        city: the city
    """
    return scenario.get_weather(city)


@tool
def deleteFile(path: str) -> str:  # noqa: N802
    """Deletes a file.

    Args:
        path: the file's path
    """
    return scenario.delete_file(path)


agent = ToolCallingAgent(
    name="weather_agent",
    tools=[getWeather, deleteFile],
    model=OpenAIModel(model_id=scenario.MODEL_ID, api_base=scenario.OPENAI_BASE_URL, api_key="test-key"),
    instructions=scenario.SYSTEM_PROMPT,
    max_steps=3,
    verbosity_level=0,
)


def main() -> int:
    with using_session(scenario.SESSION_ID), using_user(scenario.USER_ID):
        answer = agent.run(scenario.USER_PROMPT)
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(str(answer))


if __name__ == "__main__":
    sys.exit(main())
