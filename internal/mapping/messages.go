package mapping

import (
	"strings"
)

// The conventions spell chat messages in many shapes: GenAI semconv parts, OpenAI chat messages,
// Vercel AI SDK content parts, Anthropic content blocks, OpenInference and OpenLLMetry flattened
// attributes (unflattened by attrView.group) and the deprecated GenAI events. They all reduce to
// this one model.

type partKind int

const (
	partText partKind = iota
	partToolCall
	partToolResult
	partReasoning
)

type part struct {
	kind partKind
	text string // text and reasoning content
	id   string // tool call id
	name string // tool name
	// args are a tool call's arguments (decoded when they were a JSON string). The scanner does
	// not keep them for input messages (hasArgs is still set): only the calls a model's output
	// asks for are recorded with their arguments (emitRequestedTool, answerToolsAsAnswers).
	args    any
	hasArgs bool
	result  any // tool call response
}

type message struct {
	role   string
	parts  []part
	finish string
}

// text joins the message's text parts.
func (msg message) text() string {
	// Most messages have one text part: return it rather than copy it through a builder.
	only, n := "", 0
	for _, p := range msg.parts {
		if p.kind == partText && p.text != "" {
			only = p.text
			n++
		}
	}
	if n <= 1 {
		return only
	}
	var b strings.Builder
	n = 0
	for _, p := range msg.parts {
		if p.kind != partText || p.text == "" {
			continue
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.text)
		n++
	}
	return b.String()
}

// has reports whether the message has a part of kind k.
func (msg message) has(k partKind) bool {
	for _, p := range msg.parts {
		if p.kind == k {
			return true
		}
	}
	return false
}

// literalText is content that must not be read as JSON again (a structured value already rendered
// as text).
type literalText string

// parseMessages reads a message list in any supported shape. A plain string becomes one message
// with defaultRole.
func parseMessages(v any, defaultRole string) []message {
	switch t := v.(type) {
	case nil:
		return nil
	case literalText:
		return []message{{role: defaultRole, parts: []part{{kind: partText, text: string(t)}}}}
	case string:
		if j, ok := decodeJSON(t); ok {
			if inner, isStr := j.(string); isStr {
				t = inner // a JSON-encoded string: its text, not its quotes
			} else {
				return parseMessages(j, defaultRole)
			}
		}
		return []message{{role: defaultRole, parts: []part{{kind: partText, text: t}}}}
	case []any:
		out := make([]message, 0, len(t))
		for _, e := range t {
			if msg, ok := parseMessage(e, defaultRole); ok {
				out = append(out, msg)
			}
		}
		return out
	case map[string]any:
		if msgs, ok := t["messages"]; ok { // a request object such as {"messages": [...]}
			return parseMessages(msgs, defaultRole)
		}
		if choices, ok := t["choices"].([]any); ok { // a chat completion: {"choices":[{"message":…,"finish_reason"}]}
			return parseMessages(choices, defaultRole)
		}
		if msg, ok := parseMessage(t, defaultRole); ok {
			return []message{msg}
		}
	}
	return nil
}

func getStr(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := asString(m[k]); ok && s != "" {
			return s
		}
	}
	return ""
}

func parseMessage(v any, defaultRole string) (message, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		if s, isStr := v.(string); isStr {
			return message{role: defaultRole, parts: []part{{kind: partText, text: s}}}, true
		}
		return message{}, false
	}
	// gen_ai.choice events and OpenInference wrap the message: {"message": {...}, "finish_reason": …}
	inner, wrapped := m["message"].(map[string]any)
	if s, isStr := m["message"].(string); isStr && !wrapped {
		// gen_ai.choice events whose message is text, or a message as JSON text.
		if j, ok := decodeJSON(s); ok {
			inner, wrapped = j.(map[string]any)
		}
		if !wrapped {
			inner, wrapped = map[string]any{"content": s}, true
		}
	}
	if wrapped {
		msg, _ := parseMessage(inner, defaultRole)
		if f := getStr(m, "finish_reason", "finishReason"); f != "" {
			msg.finish = f
		}
		return msg, true
	}
	msg := message{role: strings.ToLower(getStr(m, "role")), finish: getStr(m, "finish_reason", "finishReason")}
	if msg.role == "" {
		msg.role = defaultRole
	}
	if ps, ok := m["parts"].([]any); ok {
		msg.parts = make([]part, 0, len(ps)) // most elements are parts: grow once
		for _, p := range ps {
			msg.parts = appendPart(msg.parts, p)
		}
	}
	for _, key := range []string{"content", "contents"} {
		switch c := m[key].(type) {
		case string:
			if parts, ok := partsFromJSONString(c); ok {
				msg.parts = append(msg.parts, parts...)
			} else {
				msg.parts = append(msg.parts, part{kind: partText, text: c})
			}
		case []any:
			for _, p := range c {
				msg.parts = appendPart(msg.parts, p)
			}
		case map[string]any:
			msg.parts = appendPart(msg.parts, c)
		}
	}
	switch tc := m["tool_calls"].(type) {
	case []any:
		for _, c := range tc {
			msg.parts = appendPart(msg.parts, withType(c, "tool_call"))
		}
	case string:
		if j, ok := decodeJSON(tc); ok {
			if list, ok := j.([]any); ok {
				for _, c := range list {
					msg.parts = appendPart(msg.parts, withType(c, "tool_call"))
				}
			}
		}
	}
	// OpenAI-style tool messages: {"role":"tool","tool_call_id":…,"content":…}; the deprecated
	// gen_ai.tool.message event uses "id".
	if msg.role == "tool" || msg.role == "function" || msg.role == "ipython" {
		id := getStr(m, "tool_call_id", "id")
		for i, p := range msg.parts {
			if p.kind == partText {
				msg.parts[i] = part{kind: partToolResult, id: id, result: p.text}
			}
		}
	}
	return msg, true
}

// partsFromJSONString accepts a string that holds a JSON array of typed content parts (OpenLLMetry
// writes multimodal content that way). Any other string is plain text.
func partsFromJSONString(s string) ([]part, bool) {
	if !strings.HasPrefix(strings.TrimSpace(s), "[{") {
		return nil, false
	}
	j, ok := decodeJSON(s)
	if !ok {
		return nil, false
	}
	list, ok := j.([]any)
	if !ok {
		return nil, false
	}
	var out []part
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || getStr(m, "type") == "" {
			return nil, false
		}
		out = appendPart(out, m)
	}
	return out, true
}

func withType(v any, typ string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if inner, ok := m["tool_call"].(map[string]any); ok { // OpenInference wraps each call
		m = inner
	}
	if _, has := m["type"]; has && getStr(m, "type") != "function" {
		return m
	}
	c := make(map[string]any, len(m)+1)
	for k, e := range m {
		c[k] = e
	}
	c["type"] = typ
	return c
}

func appendPart(parts []part, v any) []part {
	switch t := v.(type) {
	case string:
		return append(parts, part{kind: partText, text: t})
	case map[string]any:
		if inner, ok := t["message_content"].(map[string]any); ok { // OpenInference contents
			t = inner
		}
		typ := strings.ToLower(getStr(t, "type"))
		if typ == "" { // Genkit parts: {"text"}, {"toolRequest":{name, ref, input}}, {"toolResponse":{name, ref, output}}, {"reasoning"}
			switch {
			case t["toolRequest"] != nil:
				req, _ := t["toolRequest"].(map[string]any)
				p := part{kind: partToolCall, id: getStr(req, "ref"), name: getStr(req, "name")}
				if in, ok := req["input"]; ok {
					p.args, p.hasArgs = decodeArgs(in), true
				}
				return append(parts, p)
			case t["toolResponse"] != nil:
				resp, _ := t["toolResponse"].(map[string]any)
				return append(parts, part{kind: partToolResult, id: getStr(resp, "ref"), name: getStr(resp, "name"), result: decodeArgs(resp["output"])})
			case t["reasoning"] != nil:
				return append(parts, part{kind: partReasoning, text: getStr(t, "reasoning")})
			}
		}
		switch typ {
		case "tool_call", "tool-call", "tool_use", "function_call", "function":
			p := part{kind: partToolCall, id: getStr(t, "id", "toolCallId", "call_id", "tool_call_id")}
			fn, _ := t["function"].(map[string]any)
			p.name = getStr(t, "name", "toolName")
			if p.name == "" && fn != nil {
				p.name = getStr(fn, "name")
			}
			for _, src := range []map[string]any{t, fn} {
				for _, k := range []string{"arguments", "args", "input"} {
					if a, ok := src[k]; ok && !p.hasArgs {
						p.args, p.hasArgs = decodeArgs(a), true
					}
				}
			}
			return append(parts, p)
		case "tool_call_response", "tool-result", "tool_result", "function_call_output":
			p := part{kind: partToolResult, id: getStr(t, "id", "toolCallId", "tool_use_id", "call_id", "tool_call_id"), name: getStr(t, "toolName", "name")}
			for _, k := range []string{"response", "result", "output", "content"} {
				if r, ok := t[k]; ok {
					p.result = decodeArgs(r)
					break
				}
			}
			return append(parts, p)
		case "reasoning", "thinking":
			return append(parts, part{kind: partReasoning, text: getStr(t, "content", "text", "thinking", "reasoning")})
		case "", "text", "input_text", "output_text":
			if s := getStr(t, "content", "text"); s != "" {
				return append(parts, part{kind: partText, text: s})
			}
		}
	}
	return parts
}

// decodeArgs decodes tool arguments or results that arrive as JSON strings; other strings stay text.
func decodeArgs(v any) any {
	if s, ok := v.(string); ok {
		if j, ok := decodeJSON(s); ok {
			return j
		}
	}
	return v
}
