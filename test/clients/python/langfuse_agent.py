"""Langfuse Python SDK: its OpenAI wrapper (langfuse.openai) for the model calls, @observe for the
agent and its tools, session and user via propagate_attributes. The SDK's own span exporter is
pointed at the collector: LANGFUSE_BASE_URL is the OTLP/HTTP endpoint and
LANGFUSE_OTEL_TRACES_EXPORT_PATH=v1/traces, as a Langfuse user would redirect it."""

import os
import sys

import scenario

os.environ.setdefault("LANGFUSE_PUBLIC_KEY", "pk-lf-agentaudit-test")
os.environ.setdefault("LANGFUSE_SECRET_KEY", "sk-lf-agentaudit-test")
os.environ["LANGFUSE_BASE_URL"] = scenario.ENDPOINT
os.environ["LANGFUSE_OTEL_TRACES_EXPORT_PATH"] = "v1/traces"

from langfuse import get_client, observe, propagate_attributes  # noqa: E402
from langfuse.openai import OpenAI  # noqa: E402


@observe(name="getWeather", as_type="tool")
def get_weather(city: str) -> dict:
    return scenario.get_weather(city)


@observe(name="deleteFile", as_type="tool")
def delete_file(path: str) -> str:
    return scenario.delete_file(path)


TOOLS = {"getWeather": get_weather, "deleteFile": delete_file}
client = OpenAI(base_url=scenario.OPENAI_BASE_URL, api_key="test-key")


@observe(name="weather-agent", as_type="agent")
def run_agent(question: str) -> str:
    return scenario.chat_agent(client, TOOLS, question)


def main() -> int:
    with propagate_attributes(session_id=scenario.SESSION_ID, user_id=scenario.USER_ID):
        answer = run_agent(scenario.USER_PROMPT)
    get_client().flush()
    get_client().shutdown()
    return scenario.exit_code(answer)


if __name__ == "__main__":
    sys.exit(main())
