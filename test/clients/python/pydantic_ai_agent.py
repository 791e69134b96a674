"""Pydantic AI with its native OpenTelemetry GenAI instrumentation (Agent.instrument_all), an
OpenAI-compatible chat model pointed at the fake model server. deleteFile's failure is handed to the
model with ModelRetry, Pydantic AI's way of telling the model a tool failed. Pydantic AI puts its
own generated gen_ai.conversation.id on its spans; the application names the session and user on
its own enclosing span (session.id, user.id): the audit records must carry the application's."""

import sys

import scenario
from opentelemetry import trace
from pydantic_ai import Agent, ModelRetry
from pydantic_ai.models.instrumented import InstrumentationSettings
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

provider = scenario.otlp_tracer_provider()
model = OpenAIChatModel(scenario.MODEL_ID, provider=OpenAIProvider(base_url=scenario.OPENAI_BASE_URL, api_key="test-key"))
Agent.instrument_all(InstrumentationSettings(tracer_provider=provider, include_content=True))
agent = Agent(model, name="weather-agent", system_prompt=scenario.SYSTEM_PROMPT)


@agent.tool_plain(name="getWeather")
def get_weather(city: str) -> dict:
    """Returns the weather in a city."""
    return scenario.get_weather(city)


@agent.tool_plain(name="deleteFile")
def delete_file(path: str) -> str:
    """Deletes a file."""
    try:
        return scenario.delete_file(path)
    except PermissionError as exc:
        raise ModelRetry(str(exc)) from exc


def main() -> int:
    tracer = provider.get_tracer("weather-app")
    with tracer.start_as_current_span("handle request", attributes={"session.id": scenario.SESSION_ID, "user.id": scenario.USER_ID}):
        result = agent.run_sync(scenario.USER_PROMPT)
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(result.output)


if __name__ == "__main__":
    sys.exit(main())
