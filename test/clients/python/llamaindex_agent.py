"""LlamaIndex (llama-index-core's FunctionAgent workflow, llama-index-llms-openai) instrumented with
OpenInference (openinference-instrumentation-llama-index), its OpenAI LLM pointed at the fake model
server. Session and user via OpenInference's using_session and using_user. deleteFile raises:
LlamaIndex hands the exception's text to the model as an error tool output (is_error) and marks the
tool span failed. Runs in its own virtualenv (.venv-llamaindex): llama-index-llms-openai 0.8 needs
openai < 3, the main virtualenv's openai-agents 3.x."""

import asyncio
import sys

import scenario
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import LLMMetadata
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI
from openinference.instrumentation import using_session, using_user
from openinference.instrumentation.llama_index import LlamaIndexInstrumentor

provider = scenario.otlp_tracer_provider()
LlamaIndexInstrumentor().instrument(tracer_provider=provider)


class FakeServedOpenAI(OpenAI):
    """The OpenAI LLM for a model OpenAI's own table does not list (llama-index-llms-openai looks the
    context window up by model name and refuses unknown ones): a function-calling chat model."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=128000, is_chat_model=True, is_function_calling_model=True, model_name=self.model)


agent = FunctionAgent(
    name="weather-agent",
    description="Checks the weather and manages files.",
    system_prompt=scenario.SYSTEM_PROMPT,
    tools=[
        FunctionTool.from_defaults(fn=scenario.get_weather, name="getWeather"),
        FunctionTool.from_defaults(fn=scenario.delete_file, name="deleteFile"),
    ],
    llm=FakeServedOpenAI(model=scenario.MODEL_ID, api_base=scenario.OPENAI_BASE_URL, api_key="test-key"),
    streaming=False,  # the fake model server answers non-streaming requests only
)


async def run() -> str:
    response = await agent.run(user_msg=scenario.USER_PROMPT)
    return str(response.response.content)


def main() -> int:
    with using_session(scenario.SESSION_ID), using_user(scenario.USER_ID):
        answer = asyncio.run(run())
    provider.force_flush()
    provider.shutdown()
    return scenario.exit_code(answer)


if __name__ == "__main__":
    sys.exit(main())
