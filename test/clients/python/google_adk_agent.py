"""Google ADK with its own OpenTelemetry spans (invoke_agent, call_llm, execute_tool; ADK reports to
the global tracer provider, so the script installs its OTLP one there), an LlmAgent whose Gemini
model is pointed at the fake model server's Gemini API (google-genai's base_url; no Gemini is
reachable from tests). deleteFile raises: on_tool_error_callback tells the model. ADK's session is its
own; the application's enclosing span names the session and user (session.id, user.id)."""

import asyncio
import os
import sys

import scenario
from opentelemetry import trace

provider = scenario.otlp_tracer_provider()
trace.set_tracer_provider(provider)
os.environ.setdefault("GOOGLE_API_KEY", "test-key")
# The messages as GenAI semconv attributes on ADK's spans (gen_ai.input.messages, …), not as events.
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")

from google.adk.agents import LlmAgent  # noqa: E402
from google.adk.models.google_llm import Gemini  # noqa: E402
from google.adk.runners import InMemoryRunner  # noqa: E402
from google.genai import types  # noqa: E402


def getWeather(city: str) -> dict:  # noqa: N802 (the scenario's tool name)
    """Returns the weather in a city."""
    return scenario.get_weather(city)


def deleteFile(path: str) -> str:  # noqa: N802
    """Deletes a file."""
    return scenario.delete_file(path)


def tell_the_model(tool, args, tool_context, error):
    """ADK's on_tool_error_callback: the failure becomes the tool's response to the model (without
    one ADK ends the run with the tool's exception)."""
    return {"error": str(error)}


agent = LlmAgent(
    name="weather_agent", instruction=scenario.SYSTEM_PROMPT, tools=[getWeather, deleteFile],
    on_tool_error_callback=tell_the_model,
    model=Gemini(model=scenario.MODEL_ID, base_url=scenario.OPENAI_BASE_URL.removesuffix("/v1")),
)


async def run() -> str:
    runner = InMemoryRunner(agent=agent, app_name="weather-app")
    session = await runner.session_service.create_session(app_name="weather-app", user_id=scenario.USER_ID)
    answer = ""
    message = types.Content(role="user", parts=[types.Part(text=scenario.USER_PROMPT)])
    async for event in runner.run_async(user_id=scenario.USER_ID, session_id=session.id, new_message=message):
        if event.is_final_response() and event.content and event.content.parts:
            answer = "".join(p.text or "" for p in event.content.parts)
    return answer


def main() -> int:
    tracer = provider.get_tracer("weather-app")
    with tracer.start_as_current_span("handle request", attributes={"session.id": scenario.SESSION_ID, "user.id": scenario.USER_ID}):
        answer = asyncio.run(run())
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(answer)


if __name__ == "__main__":
    sys.exit(main())
