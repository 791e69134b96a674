"""The scenario every Python client plays (the same as lib/scenario.mjs): a system prompt, a user
prompt carrying an email address and a card number, two tool calls (getWeather succeeds, deleteFile
fails with "permission denied"), then a final answer. The model is the fake OpenAI Chat Completions
server that clients_test.go runs on 127.0.0.1 (OPENAI_BASE_URL); it asserts the audit records
against these values.

Each script reads OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318), OTEL_RESOURCE_ATTRIBUTES,
AGENT_SESSION_ID and AGENT_USER_ID, flushes before it exits and exits non-zero on failure.
"""

import json
import os
import sys

SYSTEM_PROMPT = "You are a careful assistant. You may check the weather and manage files."
USER_PROMPT = (
    "I am jane.doe@example.com and my card is 4111 1111 1111 1111. "
    "What is the weather in Paris? Then delete /tmp/report.txt."
)
MODEL_ID = "mock-gpt-4o"
FINAL_ANSWER = "It is sunny and 21 degrees in Paris. I could not delete /tmp/report.txt: permission denied."
PERMISSION_DENIED = "permission denied"

SESSION_ID = os.environ.get("AGENT_SESSION_ID", "session-local")
USER_ID = os.environ.get("AGENT_USER_ID", "user-local")
ENDPOINT = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318").rstrip("/")
# The fake OpenAI-compatible model server the test harness runs (fakeopenai_test.go, startFakeOpenAI).
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")


def get_weather(city: str) -> dict:
    """Returns the weather in a city."""
    return {"city": city, "forecast": "sunny", "temperatureC": 21}


def delete_file(path: str) -> str:
    """Deletes a file."""
    raise PermissionError(f"{PERMISSION_DENIED}: {path}")


def tool_schemas() -> list:
    """The two tools as OpenAI function definitions."""
    props = {"getWeather": ("city", "Returns the weather in a city."), "deleteFile": ("path", "Deletes a file.")}
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": desc,
                "parameters": {"type": "object", "properties": {arg: {"type": "string"}}, "required": [arg]},
            },
        }
        for name, (arg, desc) in props.items()
    ]


def otlp_tracer_provider():
    """A TracerProvider exporting over OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT, with the
    resource from OTEL_RESOURCE_ATTRIBUTES."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=ENDPOINT + "/v1/traces")))
    return provider


def otlp_logging(logger_name: str):
    """A LoggerProvider exporting over OTLP/HTTP (protobuf), and an OpenTelemetry LoggingHandler on
    the named Python logger, for frameworks that report content as log records (Semantic Kernel's
    gen_ai.* events). The caller flushes and shuts the provider down."""
    import logging

    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    provider = LoggerProvider(resource=Resource.create())
    provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=ENDPOINT + "/v1/logs")))
    logger = logging.getLogger(logger_name)
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=provider))
    logger.setLevel(logging.INFO)
    return provider


def chat_agent(client, tools: dict, question: str) -> str:
    """A hand-written tool loop over an OpenAI client (the Langfuse and LangSmith clients wrap this
    client and trace this function): asks the model, runs the tools it requests (a failure is
    told to the model, as real agents do) until it answers."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]
    for _ in range(3):
        resp = client.chat.completions.create(model=MODEL_ID, messages=messages, tools=tool_schemas())
        msg = resp.choices[0].message
        if not msg.tool_calls:
            return msg.content
        messages.append(msg.model_dump(exclude_none=True))
        for call in msg.tool_calls:
            try:
                result = json.dumps(tools[call.function.name](**json.loads(call.function.arguments)))
            except Exception as exc:
                result = f"error: {exc}"
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    raise RuntimeError("the agent did not finish")


def exit_code(answer: str) -> int:
    """0 when the agent gave the scenario's final answer."""
    if answer != FINAL_ANSWER:
        print(f"unexpected answer {answer!r}", file=sys.stderr)
        return 1
    return 0
