package mapping

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentaudit/otelcol-agentaudit/internal/jsonvalue"
)

// The GenAI conventions' message attributes (gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.system_instructions) arrive as JSON text on every chat span, and their history grows with
// the conversation. Parsing them into generic trees only to read roles, text parts and tool calls
// out of the trees was the mapping's largest cost: a map per message and per part, a box per
// string. The scanner here reads the semconv shape straight into messages and parts, and the
// generic path (parseMessages on jsonvalue.Parse's tree) stays the definition: the scanner gives
// up on anything it does not read exactly as that path would (another shape, a member it does not
// handle, a repeated key, a non-string where a string belongs, invalid JSON), and the caller then
// takes the generic path. FuzzScanMatchesParse holds the two to the same result.

// messageKeysRead are the members parseMessage reads; the scanner handles role, parts and
// finish_reason, gives up on the others and skips (checks, not builds) any member not listed:
// parseMessage ignores it.
var messageKeysRead = map[string]bool{
	"message": true, "role": true, "finish_reason": true, "finishReason": true, "parts": true,
	"content": true, "contents": true, "tool_calls": true, "tool_call_id": true, "id": true,
}

// partKeysRead are the members appendPart reads; the scanner handles type, content, id, name,
// arguments and response.
var partKeysRead = map[string]bool{
	"message_content": true, "type": true, "toolRequest": true, "toolResponse": true, "reasoning": true,
	"id": true, "toolCallId": true, "call_id": true, "tool_call_id": true, "name": true, "toolName": true,
	"function": true, "arguments": true, "args": true, "input": true, "tool_use_id": true, "response": true,
	"result": true, "output": true, "content": true, "text": true, "thinking": true,
}

// jsonText returns a string attribute the view has not decoded yet, for the scanner.
func (a *attrView) jsonText(key string) (string, bool) {
	for _, d := range a.decoded {
		if d.key == key {
			return "", false
		}
	}
	v, ok := a.get(key)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	return v.Str(), true
}

// messageList is messages, trying the scanner first; scanned reports that it read the value, which
// then was a JSON array (so it holds no chat completion's own usage). keepArgs is false for input
// messages: the scanner then checks their tool calls' arguments but does not build them (see
// part.args), and keeps the tool results given back as their JSON text (pendingResult).
func (a *attrView) messageList(key, defaultRole string, mustBeJSON, keepArgs bool) (msgs []message, scanned bool) {
	if s, ok := a.jsonText(key); ok {
		if msgs, ok = scanMessages(s, defaultRole, keepArgs); ok {
			a.consume(key)
			if len(msgs) == 0 {
				a.release(key)
				a.p.malformed = true
			}
			return msgs, true
		}
	}
	return a.messages(key, defaultRole, mustBeJSON), false
}

// systemInstructions reads a formSystem attribute: document and systemTexts, trying the scanner
// first. The texts are appended to dst (a span's system instructions, grown once).
func (a *attrView) systemInstructions(key string, dst []string) ([]string, bool) {
	if s, ok := a.jsonText(key); ok {
		if parts, ok := scanPartList(s); ok {
			a.consume(key)
			if t := (message{parts: parts}).text(); t != "" {
				return append(dst, t), true
			}
			return dst, true
		}
	}
	v, ok := a.document(key)
	if !ok {
		return dst, false
	}
	return append(dst, systemTexts(v)...), true
}

// scanMessages is parseMessages of s's JSON when s holds a JSON array of message objects the
// scanner reads; ok is false otherwise.
func scanMessages(s, defaultRole string, keepArgs bool) ([]message, bool) {
	s = strings.TrimSpace(s) // as decodeJSON
	sc := jsonvalue.NewScanner(s)
	more, ok := sc.Open('[')
	if !ok {
		return nil, false
	}
	buf := new(scanBuf)
	out := buf.msgs[:0]
	parts := buf.parts[:0] // every message's parts, in one array (scanMessage)
	for more {
		msg, ok := scanMessage(&sc, defaultRole, keepArgs, &parts)
		if !ok {
			return nil, false
		}
		out = append(out, msg)
		if more, ok = sc.Next(']'); !ok {
			return nil, false
		}
	}
	if !sc.Done() {
		return nil, false
	}
	return out, true
}

// scanBuf holds a document's first messages and parts: one allocation for the usual one or two
// messages of a few parts (a longer conversation grows out of it as a slice does).
type scanBuf struct {
	msgs  [2]message
	parts [2]part
}

// scanPartList is the parts of a JSON array of part objects (system instructions).
func scanPartList(s string) ([]part, bool) {
	s = strings.TrimSpace(s)
	sc := jsonvalue.NewScanner(s)
	parts, ok := scanParts(&sc, nil, true)
	if !ok || !sc.Done() {
		return nil, false
	}
	return parts, true
}

// scanMessage reads one message object as parseMessage reads its map. Its parts are appended to
// all, the document's shared parts array, and the message holds its own range of it (capped, so
// a later message's parts never show in it; a message's range is taken after its last append, so
// it sees the array that holds them).
func scanMessage(sc *jsonvalue.Scanner, defaultRole string, keepArgs bool, all *[]part) (message, bool) {
	more, ok := sc.Open('{')
	if !ok {
		return message{}, false
	}
	var msg message
	var seen uint8
	for more {
		k, ok := sc.Key()
		if !ok {
			return message{}, false
		}
		var bit uint8
		switch k {
		case "role":
			bit = 1
			msg.role, ok = sc.Str()
		case "finish_reason":
			bit = 2
			msg.finish, ok = sc.Str()
		case "parts":
			bit = 4
			if *all == nil {
				*all = make([]part, 0, 2) // not nil: parseMessage makes the slice for a parts array, even an empty one
			}
			start := len(*all)
			if *all, ok = scanParts(sc, *all, keepArgs); ok {
				msg.parts = (*all)[start:len(*all):len(*all)]
			}
		default:
			if messageKeysRead[k] {
				return message{}, false
			}
			ok = sc.Skip()
		}
		if !ok || seen&bit != 0 {
			return message{}, false
		}
		seen |= bit
		if more, ok = sc.Next('}'); !ok {
			return message{}, false
		}
	}
	msg.role = strings.ToLower(msg.role)
	if msg.role == "" {
		msg.role = defaultRole
	}
	if msg.role == "tool" || msg.role == "function" || msg.role == "ipython" {
		for i, p := range msg.parts { // no tool_call_id or id member: the scanner gave up on those
			if p.kind == partText {
				msg.parts[i] = part{kind: partToolResult, result: p.text}
			}
		}
	}
	return msg, true
}

// scanParts appends the parts of the JSON array of part objects that comes next to parts.
func scanParts(sc *jsonvalue.Scanner, parts []part, keepArgs bool) ([]part, bool) {
	more, ok := sc.Open('[')
	if !ok {
		return nil, false
	}
	if parts == nil {
		parts = []part{} // parseMessage makes the slice for a parts array, even an empty one
	}
	for more {
		var sp scannedPart
		if sp, ok = scanPart(sc, keepArgs); !ok {
			return nil, false
		}
		if parts, ok = sp.appendTo(parts); !ok {
			return nil, false
		}
		if more, ok = sc.Next(']'); !ok {
			return nil, false
		}
	}
	return parts, true
}

// scannedPart holds the members of a part object the scanner handles.
type scannedPart struct {
	typ, id, name string
	text          string // content, when it is a string (kept unboxed: most parts are text)
	content       any    // content, when it is not a string, as Parse gives it
	arguments     any
	response      any
	has           uint8 // partHas* bits of the members present
}

const (
	partHasType = 1 << iota
	partHasID
	partHasName
	partHasContent // content is present (a string in text, or else in content)
	partHasText    // content is a string
	partHasArguments
	partHasResponse
)

func scanPart(sc *jsonvalue.Scanner, keepArgs bool) (scannedPart, bool) {
	var sp scannedPart
	more, ok := sc.Open('{')
	if !ok {
		return sp, false
	}
	for more {
		k, ok := sc.Key()
		if !ok {
			return sp, false
		}
		var bit uint8
		switch k {
		case "type":
			bit = partHasType
			sp.typ, ok = sc.Str()
		case "id":
			bit = partHasID
			sp.id, ok = sc.Str()
		case "name":
			bit = partHasName
			sp.name, ok = sc.Str()
		case "content":
			bit = partHasContent
			if sc.Peek() == '"' {
				sp.text, ok = sc.Str()
				sp.has |= partHasText
			} else {
				sp.content, ok = sc.Value()
			}
		case "arguments":
			bit = partHasArguments
			if keepArgs {
				sp.arguments, ok = sc.Value()
			} else {
				ok = sc.Skip()
			}
		case "response":
			bit = partHasResponse
			if keepArgs {
				sp.response, ok = sc.Value()
			} else {
				var raw string
				raw, ok = sc.Raw()
				sp.response = pendingResult(raw)
			}
		default:
			if partKeysRead[k] {
				return sp, false
			}
			ok = sc.Skip()
		}
		if !ok || sp.has&bit != 0 {
			return sp, false
		}
		sp.has |= bit
		if more, ok = sc.Next('}'); !ok {
			return sp, false
		}
	}
	return sp, true
}

// appendTo is appendPart of the part's map; ok is false where that would read what the scanner
// does not keep (a text whose content is no string).
func (sp scannedPart) appendTo(parts []part) ([]part, bool) {
	typ := strings.ToLower(sp.typ)
	switch typ {
	case "tool_call", "tool-call", "tool_use", "function_call", "function":
		p := part{kind: partToolCall, id: sp.id, name: sp.name}
		if sp.has&partHasArguments != 0 {
			p.args, p.hasArgs = decodeArgs(sp.arguments), true
		}
		return append(parts, p), true
	case "tool_call_response", "tool-result", "tool_result", "function_call_output":
		p := part{kind: partToolResult, id: sp.id, name: sp.name}
		switch {
		case sp.has&partHasResponse != 0:
			p.result = decodeArgs(sp.response) // a pendingResult stays one: decodeArgs applies when it is read
		case sp.has&partHasText != 0:
			p.result = decodeArgs(sp.text)
		case sp.has&partHasContent != 0:
			p.result = decodeArgs(sp.content)
		}
		return append(parts, p), true
	case "reasoning", "thinking", "", "text", "input_text", "output_text":
		text := sp.text
		if sp.has&(partHasContent|partHasText) == partHasContent {
			return nil, false // getStr would read a number's text, or go on to "text"
		}
		switch {
		case typ == "reasoning" || typ == "thinking":
			return append(parts, part{kind: partReasoning, text: text}), true
		case text != "":
			return append(parts, part{kind: partText, text: text}), true
		}
	}
	return parts, true
}

// pendingResult is the JSON text of a tool result a model's input gives back (a tool_call_response
// part's response). A chat span re-sends every earlier result of the conversation, and the mapping
// reads one only for a requested call no span executed (emitRequestedTool), so the scanner checks
// the text and leaves it unparsed; resultValue gives what parsing it then would have.
type pendingResult string

// resultValue is a part's result as parseMessages gives it: a pendingResult parsed and decoded.
func resultValue(v any) any {
	if raw, ok := v.(pendingResult); ok {
		j, _ := jsonvalue.Parse(string(raw)) // the scanner checked it: it parses
		return decodeArgs(j)
	}
	return v
}
