package mapping

// agentLog is the structured agent log: one JSON object per agent event, written through the
// application's logging library (Python logging with json.dumps, structlog's JSON renderer,
// logging's extra= attributes) and forwarded over OTLP, as "Audit Trails for Agents" teaches
// (AgentLogger's log_input / log_tool_call / log_output, and its nested "What to Log" objects). It
// needs no configuration: the event type comes from a member, or from the nested object's name.
var agentLog = &dialect{
	name:  convAgentLog,
	title: "Structured agent logs (JSON log lines, no instrumentation)",
	logs: &logRules{
		typeKeys: []typeKey{
			{key: "event_type"},
			{key: "type"},
			{key: "event"},
			{key: "event.name"},
			{key: "kind"},
			{key: "log_type"},
			{key: "body", needsIdentity: true},
		},
		types: map[string]logEvent{
			"input": logInput, "user_input": logInput, "user_message": logInput, "prompt": logInput, "agent_input": logInput,
			"reasoning": logReasoning, "thought": logReasoning, "thinking": logReasoning, "plan": logReasoning, "agent_reasoning": logReasoning,
			"tool_call": logTool, "tool_result": logTool, "tool_use": logTool, "tool": logTool, "function_call": logTool, "agent_tool_call": logTool,
			"output": logOutput, "final_answer": logOutput, "agent_response": logOutput, "response": logOutput, "answer": logOutput, "agent_output": logOutput,
			"error": logError, "exception": logError, "agent_error": logError, "tool_error": logError,
		},
		objects: []logObject{
			{name: "input", event: logInput},
			{name: "reasoning", event: logReasoning},
			{name: "tool_call", event: logTool},
			{name: "output", event: logOutput},
			{name: "error", event: logError},
		},
		flatten:     []string{"metadata"},
		errorLogs:   []string{"exception.type", "exception.message"},
		timeKeys:    []string{"timestamp", "time", "ts", "@timestamp"},
		sessionKeys: []identityKey{{"session_id", "snake case"}, {"sessionId", "camel case"}, {"conversation_id", "snake case"}, {"conversationId", "camel case"}},
		userKeys:    []identityKey{{"user_id", "snake case"}, {"userId", "camel case"}},
	},
	fields: map[field][]alias{
		fieldRequestModel: on(logEvents(logOutput), []alias{{key: "model", form: formScalar}, {key: "model_name"}, {key: "gen_ai.request.model"}}),
		fieldProvider:     on(logEvents(logOutput), []alias{{key: "provider", form: formScalar}, {key: "gen_ai.provider.name"}}),
		fieldAgentName:    {{key: "agent_name"}, {key: "agent", form: formScalar}, {key: "agent.name"}},
		fieldAgentID:      {{key: "agent_id"}, {key: "agent.id"}},
		fieldErrorType: {
			{key: "error.type"},
			{key: "error_type"},
			{key: "exception.type"},
			{key: "exception_type"},
			{key: "error", member: "type", form: formScalar},
		},
		fieldFailed: {
			{key: "success", form: formFailure, match: "false"},
			{key: "status", form: formFailure, match: "error"},
			{key: "status", form: formFailure, match: "failed"},
		},
		fieldStatusMessage: {
			{key: "error.message"},
			{key: "error_message"},
			{key: "exception.message"},
			{key: "error", member: "message", form: formScalar},
			{key: "error", form: formScalar, doc: "a string"},
			{key: "message", form: formScalar, events: logEvents(logError)},
			{key: "body", form: formScalar, events: logEvents(logError)},
		},
		fieldTokensIn: on(logEvents(logOutput), []alias{
			{key: "input_tokens", form: formCount},
			{key: "prompt_tokens", form: formCount},
			{key: "usage", member: "input_tokens", form: formCount},
			{key: "usage", member: "prompt_tokens", form: formCount},
			{key: "usage", member: "prompt", form: formCount},
			{key: "usage", member: "input", form: formCount},
		}),
		fieldTokensOut: on(logEvents(logOutput), []alias{
			{key: "output_tokens", form: formCount},
			{key: "completion_tokens", form: formCount},
			{key: "usage", member: "output_tokens", form: formCount},
			{key: "usage", member: "completion_tokens", form: formCount},
			{key: "usage", member: "completion", form: formCount},
			{key: "usage", member: "output", form: formCount},
		}),
		fieldTokensTotal: on(logEvents(logOutput), []alias{
			{key: "tokens_used", form: formCount},
			{key: "total_tokens", form: formCount},
			{key: "tokens", form: formCount},
			{key: "usage", member: "total_tokens", form: formCount},
			{key: "usage", member: "total", form: formCount},
		}),
		fieldCost: on(logEvents(logOutput), []alias{{key: "cost", form: formNumber}, {key: "cost_usd", form: formNumber}}),
		fieldInput: on(logEvents(logInput), []alias{
			{key: "message", form: formContent},
			{key: "content", form: formContent},
			{key: "input", form: formContent},
			{key: "prompt", form: formContent},
			{key: "query", form: formContent},
			{key: "text", form: formContent},
			{key: "body", form: formContent, doc: "a plain-text log message"},
		}),
		fieldOutput: on(logEvents(logOutput), []alias{
			{key: "response", form: formContent},
			{key: "content", form: formContent},
			{key: "output", form: formContent},
			{key: "final_answer", form: formContent},
			{key: "answer", form: formContent},
			{key: "message", form: formContent},
			{key: "text", form: formContent},
			{key: "body", form: formContent, doc: "a plain-text log message"},
		}),
		fieldToolName:   {{key: "tool_name"}, {key: "tool", form: formScalar}, {key: "tool.name"}, {key: "name", events: logEvents(logTool, logError)}, {key: "gen_ai.tool.name"}},
		fieldToolCallID: {{key: "tool_call_id"}, {key: "call_id"}, {key: "gen_ai.tool.call.id"}},
		fieldToolArgs: on(logEvents(logTool), []alias{
			{key: "parameters", form: formValue},
			{key: "arguments", form: formValue},
			{key: "args", form: formValue},
			{key: "params", form: formValue},
			{key: "input", form: formValue},
		}),
		fieldToolResult: on(logEvents(logTool), []alias{{key: "result", form: formValue}, {key: "output", form: formValue}}),
		fieldDuration:   on(logEvents(logTool), []alias{{key: "duration_ms", form: formNumber}, {key: "latency_ms", form: formNumber}, {key: "elapsed_ms", form: formNumber}}),
		fieldErrorStack: {
			{key: "stack_trace"},
			{key: "stacktrace"},
			{key: "error.stack_trace"},
			{key: "exception.stacktrace"},
			{key: "traceback"},
			{key: "error", member: "stack_trace", form: formScalar},
		},
		fieldRecovery:   {{key: "recovery_action"}, {key: "error.recovery_action"}, {key: "error", member: "recovery_action", form: formScalar}},
		fieldThought:    on(logEvents(logReasoning), []alias{{key: "thought", form: formScalar}, {key: "reasoning", form: formScalar}, {key: "thinking"}, {key: "content"}, {key: "message"}, {key: "body"}}),
		fieldPlan:       on(logEvents(logReasoning), []alias{{key: "plan", form: formContent}, {key: "steps", form: formContent}}),
		fieldConfidence: on(logEvents(logReasoning), []alias{{key: "confidence", form: formNumber}}),
	},
}

// on restricts aliases to the log events given.
func on(events logEventSet, as []alias) []alias {
	for i := range as {
		as[i].events = events
	}
	return as
}
