"""LangSmith in OpenTelemetry mode (LANGSMITH_OTEL_ENABLED, LANGSMITH_OTEL_ONLY: nothing goes to
LangSmith's API): an agent built from @traceable functions around an OpenAI client wrapped with
wrap_openai; session and user as LangSmith thread metadata (session_id, user_id) set with
tracing_context. The SDK exports OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT."""

import os
import sys

import scenario

os.environ["LANGSMITH_TRACING"] = "true"
os.environ["LANGSMITH_OTEL_ENABLED"] = "true"
os.environ["LANGSMITH_OTEL_ONLY"] = "true"
os.environ.setdefault("LANGSMITH_API_KEY", "lsv2-agentaudit-test")

from opentelemetry import trace  # noqa: E402

# LangSmith exports through the global tracer provider when the application has one (it builds its
# own, without OTEL_RESOURCE_ATTRIBUTES, otherwise).
provider = scenario.otlp_tracer_provider()
trace.set_tracer_provider(provider)

import langsmith as ls  # noqa: E402
from langsmith.wrappers import wrap_openai  # noqa: E402
from openai import OpenAI  # noqa: E402


@ls.traceable(name="getWeather", run_type="tool")
def get_weather(city: str) -> dict:
    return scenario.get_weather(city)


@ls.traceable(name="deleteFile", run_type="tool")
def delete_file(path: str) -> str:
    return scenario.delete_file(path)


TOOLS = {"getWeather": get_weather, "deleteFile": delete_file}
client = wrap_openai(OpenAI(base_url=scenario.OPENAI_BASE_URL, api_key="test-key"))


@ls.traceable(name="weather-agent", run_type="chain")
def run_agent(question: str) -> str:
    return scenario.chat_agent(client, TOOLS, question)


def main() -> int:
    with ls.tracing_context(metadata={"session_id": scenario.SESSION_ID, "user_id": scenario.USER_ID}):
        answer = run_agent(scenario.USER_PROMPT)
    from langsmith.run_trees import get_cached_client

    get_cached_client().flush()
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(answer)


if __name__ == "__main__":
    sys.exit(main())
