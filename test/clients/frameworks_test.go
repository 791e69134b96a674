package clients

// The frameworks the client tests run: each one's scenario script and the telemetry it is known
// to emit for it (clients_test.go runs them and checks the records).

// client is one framework's scenario script and the telemetry it is known to emit for it.
type client struct {
	name   string
	script string
	// runtime runs the script: runtimeNode (the default), runtimePython (python/<script> in the
	// virtualenv) or runtimeGo (the Go module in <script>/, built once per test).
	runtime string
	// spans and logEvents are the span names and log event names the scenario emits, sorted.
	spans, logEvents []string
	// protobufOnly: the SDK's exporter speaks OTLP/HTTP protobuf only (Python's, Langfuse's, Genkit's).
	protobufOnly bool
	// noCallIDs: the framework's tool spans carry no tool call id (the records cannot either).
	noCallIDs bool
	// conversationIDs: the framework generates its own gen_ai.conversation.id, which every record
	// keeps as conversation_id while the application's session is the session_id.
	conversationIDs bool
	// venv names a Python client's own virtualenv, .venv-<venv> built from
	// python/requirements-<venv>.txt, for a framework whose pins conflict with requirements.txt's.
	venv string
	// toolPrefix: the framework names the executed tools with this prefix (a plugin's name).
	toolPrefix string
	// spanRepeatsVary: how often a span repeats follows the scheduling (LlamaIndex's workflow runs
	// aggregate_tool_results two or three times), so the emitted spans are compared by name only.
	spanRepeatsVary bool
}

const (
	runtimeNode   = ""
	runtimePython = "python"
	runtimeGo     = "go"
)

var clients = []client{
	{
		name: "vercel-ai-v7", script: "vercel-ai-v7.mjs",
		spans: []string{
			"chat mock-gpt-4o", "chat mock-gpt-4o", "execute_tool deleteFile", "execute_tool getWeather",
			"invoke_agent mock-gpt-4o", "step 1", "step 2",
		},
	},
	{
		name: "vercel-ai-v6", script: "vercel-ai-v6.mjs",
		spans: []string{"ai.generateText", "ai.generateText.doGenerate", "ai.generateText.doGenerate", "ai.toolCall", "ai.toolCall"},
	},
	{
		name: "openai-instrumentation", script: "openai-instrumentation.mjs",
		// "agent turn" and the execute_tool spans are the application's; the rest the instrumentation's.
		spans: []string{"agent turn", "chat mock-gpt-4o", "chat mock-gpt-4o", "execute_tool deleteFile", "execute_tool getWeather"},
		logEvents: []string{
			"gen_ai.assistant.message", "gen_ai.choice", "gen_ai.choice",
			"gen_ai.system.message", "gen_ai.system.message", "gen_ai.tool.message", "gen_ai.tool.message",
			"gen_ai.user.message", "gen_ai.user.message",
		},
	},
	{
		// Langfuse SDK: its OpenAI wrapper and @observe agent and tools; langfuse.observation.* attributes.
		name: "langfuse", script: "langfuse_agent.py", runtime: runtimePython, protobufOnly: true, noCallIDs: true,
		spans: []string{"OpenAI-generation", "OpenAI-generation", "deleteFile", "getWeather", "weather-agent"},
	},
	{
		// LangSmith in OTel mode: @traceable agent and tools, wrap_openai; langsmith.* beside gen_ai.*.
		name: "langsmith", script: "langsmith_agent.py", runtime: runtimePython, protobufOnly: true, noCallIDs: true,
		spans: []string{"ChatOpenAI", "ChatOpenAI", "deleteFile", "getWeather", "weather-agent"},
	},
	{
		// Pydantic AI, native GenAI spans; "handle request" is the application's span with the ids.
		name: "pydantic-ai", script: "pydantic_ai_agent.py", runtime: runtimePython, protobufOnly: true, conversationIDs: true,
		spans: []string{
			"chat mock-gpt-4o", "chat mock-gpt-4o", "execute_tool deleteFile", "execute_tool getWeather",
			"handle request", "invoke_agent weather-agent",
		},
	},
	{
		// OpenAI Agents SDK with OpenInference.
		name: "openai-agents", script: "openai_agents_agent.py", runtime: runtimePython, protobufOnly: true, noCallIDs: true,
		spans: []string{
			"Agent workflow", "Agent workflow", "deleteFile", "generation", "generation", "getWeather",
			"turn", "turn", "weather-agent",
		},
	},
	{
		// Semantic Kernel with its GenAI diagnostics on; "handle request" is the application's span.
		// SK sends and executes its tools by plugin-qualified name (Tools-getWeather), and writes the
		// messages as gen_ai.* log records of the model span.
		name: "semantic-kernel", script: "semantic_kernel_agent.py", runtime: runtimePython, venv: "sk", protobufOnly: true,
		toolPrefix: "Tools-",
		spans: []string{
			"AutoFunctionInvocationLoop", "chat mock-gpt-4o", "chat mock-gpt-4o", "execute_tool Tools-deleteFile",
			"execute_tool Tools-getWeather", "handle request", "invoke_agent weather-agent",
		},
		logEvents: []string{
			"gen_ai.assistant.message", "gen_ai.choice", "gen_ai.choice", "gen_ai.system.message", "gen_ai.system.message",
			"gen_ai.tool.message", "gen_ai.tool.message", "gen_ai.user.message", "gen_ai.user.message",
		},
	},
	{
		// CrewAI with OpenInference.
		// CrewAIInstrumentor traces crew, agent and tools, OpenAIInstrumentor the model calls.
		name: "crewai", script: "crewai_agent.py", runtime: runtimePython, venv: "crewai", protobufOnly: true, noCallIDs: true,
		spans: []string{"ChatCompletion", "ChatCompletion", "deleteFile.run", "getWeather.run", "weather-agent._execute_core", "weather-crew.kickoff"},
	},
	{
		// Google ADK's own spans; its Gemini model talks to the fake server's Gemini API.
		// "execute_tool (merged)" is ADK's span over the two calls of one model response.
		name: "google-adk", script: "google_adk_agent.py", runtime: runtimePython, venv: "adk", protobufOnly: true,
		spans: []string{
			"execute_tool (merged)", "execute_tool deleteFile", "execute_tool getWeather", "generate_content mock-gpt-4o",
			"generate_content mock-gpt-4o", "handle request", "invoke_agent weather_agent", "invoke_workflow weather_agent",
		},
	},
	{
		// LlamaIndex's FunctionAgent workflow with OpenInference (own virtualenv: openai < 3). Its
		// tool spans carry no call id; _prepare_chat_with_tools spans are marked LLM but call no model.
		name: "llamaindex", script: "llamaindex_agent.py", runtime: runtimePython, venv: "llamaindex", protobufOnly: true, noCallIDs: true,
		spanRepeatsVary: true,
		spans: []string{
			"BaseWorkflowAgent.aggregate_tool_results", "BaseWorkflowAgent.aggregate_tool_results", "BaseWorkflowAgent.call_tool",
			"BaseWorkflowAgent.call_tool", "BaseWorkflowAgent.init_run", "BaseWorkflowAgent.parse_agent_output",
			"BaseWorkflowAgent.parse_agent_output", "BaseWorkflowAgent.run_agent_step", "BaseWorkflowAgent.run_agent_step",
			"BaseWorkflowAgent.setup_agent", "BaseWorkflowAgent.setup_agent", "FakeServedOpenAI._prepare_chat_with_tools",
			"FakeServedOpenAI._prepare_chat_with_tools", "FakeServedOpenAI.achat", "FakeServedOpenAI.achat", "FunctionAgent.run",
			"FunctionTool.acall", "FunctionTool.acall",
		},
	},
	{
		// smolagents' ToolCallingAgent with OpenInference; it finishes through its final_answer tool
		// (fakeopenai_test.go answers with that call), and its tool spans carry no call id.
		name: "smolagents", script: "smolagents_agent.py", runtime: runtimePython, venv: "smolagents", protobufOnly: true, noCallIDs: true,
		spans: []string{"FinalAnswerTool", "OpenAIModel.generate", "OpenAIModel.generate", "SimpleTool", "SimpleTool", "Step 1", "Step 2", "weather_agent.run"},
	},
	{
		// Firebase Genkit for Go: genkit:* attributes only.
		name: "genkit", script: "genkit", runtime: runtimeGo, protobufOnly: true, noCallIDs: true,
		spans: []string{"deleteFile", "fake/mock-gpt-4o", "fake/mock-gpt-4o", "generate", "generate", "getWeather", "weatherAgent"},
	},
}
