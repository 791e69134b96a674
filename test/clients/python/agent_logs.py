"""An agent that audits itself by logging, as "Audit Trails for Agents" teaches: no tracing, no
instrumentation, only Python logging forwarded over OTLP by the OpenTelemetry SDK's logging handler.
One session per shape, each logging the same run (input, reasoning, a tool call, a failed tool, the
final answer), with an HTTP client's and a framework's own log lines interleaved:

  agentlogger  the document's AgentLogger class (logger.info(json.dumps({...})), flat members)
  nested       the document's "What to Log" objects, one JSON line per event
  structlog    structlog's TimeStamper + JSONRenderer through the standard library
  extra        logging's extra= attributes; the failure is logger.exception(...)

Environment: OTEL_EXPORTER_OTLP_ENDPOINT (the collector's OTLP/HTTP endpoint), AGENT_SESSION_ID (the
sessions are <it>-<shape>), AGENT_USER_ID.
"""

import json
import logging
import os
from datetime import datetime, timezone

import httpx
import structlog
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

SESSION = os.environ.get("AGENT_SESSION_ID", "sess")
USER = os.environ["AGENT_USER_ID"]
ENDPOINT = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"]

USER_MESSAGE = "Book a flight to Paris; send the ticket to jane.doe@example.com"
THOUGHT = "User wants to book a flight. I need to search for flights first."
PLAN = ["Search for flights to Paris", "Present options to user", "Book selected flight"]
PARAMS = {"destination": "Paris", "departure_date": "2024-02-01"}
RESULT = {"status": "success", "flights": ["AF1234", "BA0304"]}
FINAL_ANSWER = "I found 2 flights to Paris. AF1234 leaves at 09:10."


def now():
    return datetime.now(timezone.utc).isoformat()


def noise():
    """An HTTP client's and a framework's own lines: real httpx and httpcore logging, a debug line."""
    try:
        httpx.get(ENDPOINT + "/", timeout=2)  # the OTLP receiver answers 404: httpx logs the request
    except httpx.HTTPError:
        pass
    logging.getLogger("langchain.chains").debug("Entering new AgentExecutor chain...")
    logging.getLogger("app.cache").info(json.dumps({"msg": "cache warmed", "entries": 120}))


class AgentLogger:
    """The document's class as written, with log_reasoning and log_error in the same style."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.logger = logging.getLogger(f"agent.{session_id}")

    def log_input(self, user_id, message):
        self.logger.info(json.dumps({"timestamp": now(), "session_id": self.session_id, "user_id": user_id, "type": "input", "message": message}))

    def log_reasoning(self, thought, plan):
        self.logger.info(json.dumps({"timestamp": now(), "session_id": self.session_id, "type": "reasoning", "thought": thought, "plan": plan}))

    def log_tool_call(self, tool_name, params, result, duration_ms):
        self.logger.info(json.dumps({"timestamp": now(), "session_id": self.session_id, "type": "tool_call", "tool_name": tool_name,
                                     "parameters": params, "result": result, "duration_ms": duration_ms}))

    def log_error(self, error_type, tool_name, message, stack_trace, recovery_action):
        self.logger.error(json.dumps({"timestamp": now(), "session_id": self.session_id, "type": "error", "error_type": error_type,
                                      "tool_name": tool_name, "message": message, "stack_trace": stack_trace, "recovery_action": recovery_action}))

    def log_output(self, response, tokens_used, cost):
        self.logger.info(json.dumps({"timestamp": now(), "session_id": self.session_id, "type": "output", "response": response,
                                     "tokens_used": tokens_used, "cost": cost, "model": "gpt-4"}))


def agentlogger(session):
    log = AgentLogger(session_id=session)
    log.log_input(user_id=USER, message=USER_MESSAGE)
    noise()
    log.log_reasoning(THOUGHT, PLAN)
    log.log_tool_call("search_flights", PARAMS, RESULT, 1250)
    noise()
    log.log_error("ToolExecutionError", "book_flight", "Payment API timeout", "Traceback (most recent call last): ...", "Retry with exponential backoff")
    log.log_output(FINAL_ANSWER, 150, 0.0045)


def nested(session):
    log = logging.getLogger("agent.nested")

    def emit(event):
        log.info(json.dumps({"timestamp": now(), "session_id": session, **event}))

    emit({"user_id": USER, "input": {"type": "user_message", "content": USER_MESSAGE, "metadata": {"source": "web_chat"}}})
    emit({"reasoning": {"thought": THOUGHT, "plan": PLAN, "confidence": 0.95}})
    noise()
    emit({"tool_call": {"tool_name": "search_flights", "parameters": PARAMS, "result": RESULT, "duration_ms": 1250}})
    emit({"error": {"type": "ToolExecutionError", "tool_name": "book_flight", "message": "Payment API timeout",
                    "stack_trace": "Traceback (most recent call last): ...", "recovery_action": "Retry with exponential backoff"}})
    noise()
    emit({"output": {"type": "agent_response", "content": FINAL_ANSWER, "metadata": {"tokens_used": 150, "model": "gpt-4", "cost": 0.0045}}})


def structlog_shape(session):
    structlog.configure(
        processors=[structlog.processors.TimeStamper(fmt="iso"), structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    log = structlog.get_logger("agent.structlog").bind(session_id=session)
    log.info("user_input", user_id=USER, content=USER_MESSAGE)
    log.info("thought", thought=THOUGHT, plan=PLAN)
    noise()
    log.info("connection pool ready", size=4)  # the application's own line: no agent event
    log.info("tool_call", tool_name="search_flights", parameters=PARAMS, result=RESULT, duration_ms=1250)
    log.error("tool_error", tool_name="book_flight", error_type="ToolExecutionError", error_message="Payment API timeout",
              stack_trace="Traceback (most recent call last): ...", recovery_action="Retry with exponential backoff")
    log.info("final_answer", answer=FINAL_ANSWER, model="gpt-4", usage={"prompt_tokens": 120, "completion_tokens": 30}, cost_usd=0.0045)


def extra(session):
    log = logging.getLogger("agent.extra")
    ids = {"session_id": session}
    log.info("user_input", extra={**ids, "user_id": USER, "content": USER_MESSAGE})
    log.info("reasoning", extra={**ids, "thought": THOUGHT, "plan": json.dumps(PLAN)})
    noise()
    log.info("tool_call", extra={**ids, "tool_name": "search_flights", "parameters": json.dumps(PARAMS), "result": json.dumps(RESULT), "duration_ms": 1250})
    try:
        raise TimeoutError("Payment API timeout")
    except TimeoutError:
        log.exception("booking failed", extra={**ids, "tool_name": "book_flight"})
    log.info("final_answer", extra={**ids, "response": FINAL_ANSWER, "model": "gpt-4", "input_tokens": 120, "output_tokens": 30, "cost": 0.0045})


def main():
    provider = LoggerProvider()
    set_logger_provider(provider)
    provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)  # framework debug lines reach the collector too: they are the noise
    root.addHandler(LoggingHandler(level=logging.DEBUG, logger_provider=provider))
    # The exporter's own HTTP requests must not log through the handler they are sent by.
    for name in ("urllib3", "requests"):
        logging.getLogger(name).setLevel(logging.WARNING)
    agentlogger(f"{SESSION}-agentlogger")
    nested(f"{SESSION}-nested")
    structlog_shape(f"{SESSION}-structlog")
    extra(f"{SESSION}-extra")
    provider.force_flush()
    provider.shutdown()


if __name__ == "__main__":
    main()
