package mapping

import "strings"

// The readers below turn one alias of a dialect table (dialect.go) into a record field: extract
// calls readAlias per alias in table order; the per-form cases stay in one switch so the table has
// one reader.

// readAlias reads one alias into the field and reports whether it supplied a value.
func readAlias(a *attrView, al alias, fl field, f *facts) bool {
	switch al.form {
	case formText, formScalar:
		if al.form == formScalar && !a.scalar(al) {
			return false
		}
		s, ok := a.text(al)
		if !ok || s == "" {
			return false
		}
		setText(f, fl, s)
		return true
	case formContent:
		v, ok := a.aliasValue(al)
		if !ok {
			return false
		}
		s := canonicalText(v)
		if s == "" || s == "null" {
			return false
		}
		if fl == fieldPlan {
			f.logExtra().plan = planSteps(v)
			return true
		}
		appendMessages(f, fl, []message{{role: defaultRole(fl), parts: []part{{kind: partText, text: s}}}})
		return true
	case formCount:
		got, ok := a.countOf(al)
		if !ok {
			return false
		}
		n := f.countSlot(fl) // allocated only for a value found
		*n = got
		switch fl {
		case fieldTokensIn:
			f.tokens.in = n
		case fieldTokensOut:
			f.tokens.out = n
		case fieldTokensTotal:
			f.tokens.total = n
		}
		return true
	case formNumber:
		got, ok := a.numberOf(al)
		if !ok {
			return false
		}
		c := new(float64)
		*c = got
		switch fl {
		case fieldDuration:
			f.logExtra().durationMS = c
		case fieldConfidence:
			if got > 1 {
				a.p.malformed = true
				return false
			}
			f.logExtra().confidence = c
		default:
			f.cost = c
		}
		return true
	case formCostSum:
		other := al.also[0]
		if !a.has(al.key) || !a.has(other) {
			return false
		}
		in, okIn := a.number(al.key)
		out, okOut := a.number(other)
		if !okIn || !okOut { // keep both in attributes rather than half a cost
			a.release(al.key)
			a.release(other)
			return false
		}
		c := in + out
		f.cost = &c
		return true
	case formFinishList:
		dst := f.finish[:0]
		if cap(dst) == 0 {
			dst = f.finishBuf[:0]
		}
		if list, ok := a.scalarList(al.key, dst); ok {
			f.finish = list
			return true
		}
		fr, ok := a.structuredPresent(al.key)
		if !ok {
			return false
		}
		switch t := fr.(type) {
		case []any:
			f.finish = f.finish[:0]
			for _, e := range t {
				if s, ok := asString(e); ok {
					f.finish = append(f.finish, s)
				}
			}
		case string:
			f.finish = []string{t}
		default:
			a.release(al.key)
			a.p.malformed = true
			return false
		}
		return true
	case formSystem:
		dst := f.system
		if cap(dst) == 0 {
			dst = f.systemBuf[:0]
		}
		texts, ok := a.systemInstructions(al.key, dst)
		if len(texts) > 0 {
			f.system = texts
		}
		return ok
	case formMessagesJSON, formMessages:
		msgs, scanned := a.messageList(al.key, defaultRole(fl), al.form == formMessagesJSON, fl != fieldInput)
		appendMessages(f, fl, msgs)
		if len(msgs) > 0 && fl == fieldOutput && f.kind == kindLLM && !scanned {
			if v, ok := a.structuredPresent(al.key); ok {
				usageInto(v, f) // a chat completion's own model and usage, when no attribute said them
			}
		}
		return len(msgs) > 0
	case formFlatMessages:
		g := a.group(al.key)
		if g == nil {
			return false
		}
		msgs := parseMessages(g, defaultRole(fl))
		appendMessages(f, fl, msgs)
		return len(msgs) > 0
	case formVercelPrompt:
		v, ok := a.structuredPresent(al.key)
		if !ok {
			return false
		}
		f.inputs = append(f.inputs, vercelPrompt(v, f)...)
		return true
	case formVercelResponse:
		return vercelResponse(a, al, f)
	case formEntity:
		v, ok := a.structuredPresent(al.key)
		if !ok {
			return false
		}
		appendMessages(f, fl, parseMessages(unwrapEntity(v), defaultRole(fl)))
		if fl == fieldEntityOutput && f.kind == kindLLM {
			usageInto(v, f)
		}
		return true
	case formValue, formKwargs, formUnwrapOutput:
		v, ok := a.aliasValue(al)
		if !ok {
			return false
		}
		switch al.form {
		case formKwargs:
			v = unwrapToolInput(v)
		case formUnwrapOutput:
			v = unwrapOutput(v)
		}
		v = pyLiteral(v)
		if fl == fieldToolArgs {
			f.toolArgs, f.hasArgs = v, true
		} else {
			f.toolResult, f.hasResult = v, true
		}
		return true
	case formSpanName:
		if a.spanName == "" {
			return false
		}
		setText(f, fl, a.m.cleanString(a.spanName, a.p))
		return true
	case formProviderModel:
		s, ok := a.text(al)
		if !ok || s == "" {
			return false
		}
		if provider, model, found := strings.Cut(s, "/"); found && provider != "" && model != "" {
			if f.provider == "" {
				f.provider = provider
			}
			s = model
		}
		setText(f, fl, s)
		return true
	case formFailure:
		v, ok := a.get(al.key)
		if !ok || !strings.EqualFold(v.AsString(), al.match) {
			return false
		}
		a.consume(al.key)
		f.failedBy = al.key
		return true
	}
	return false
}

func setText(f *facts, fl field, s string) {
	switch fl {
	case fieldRequestModel:
		f.requestModel = s
	case fieldResponseModel:
		f.responseModel = s
	case fieldProvider:
		f.provider = s
	case fieldAgentName, fieldAgentSpanName:
		f.agent.name = s
	case fieldAgentID:
		f.agent.id = s
	case fieldAgentVersion:
		f.agent.version = s
	case fieldErrorType:
		f.errorType = s
	case fieldStatusMessage:
		f.statusMessage = s
	case fieldFinishReason:
		f.finish = []string{s}
	case fieldToolName:
		f.toolName = s
	case fieldToolCallID:
		f.toolCallID = s
	case fieldErrorStack:
		f.logExtra().stack = s
	case fieldRecovery:
		f.logExtra().recovery = s
	case fieldThought:
		f.logExtra().thought = s
	}
}

func defaultRole(fl field) string {
	if fl == fieldOutput || fl == fieldEntityOutput {
		return "assistant"
	}
	return "user"
}

// appendMessages adds msgs to the field's messages. Every caller passes a slice of its own, so the
// first is taken rather than copied.
func appendMessages(f *facts, fl field, msgs []message) {
	dst := &f.inputs
	if fl == fieldOutput || fl == fieldEntityOutput {
		dst = &f.outputs
	}
	if len(*dst) == 0 && len(msgs) > 0 {
		*dst = msgs
		return
	}
	*dst = append(*dst, msgs...)
}

// text reads a formText alias: the attribute, or a member of its JSON document.
func (a *attrView) text(al alias) (string, bool) {
	if al.member == "" {
		return a.str(al.key)
	}
	v, ok := a.member(al.key, al.member)
	if !ok {
		return "", false
	}
	s, ok := asString(v)
	if !ok {
		return "", false
	}
	return a.m.cleanString(s, a.p), true
}

func (a *attrView) countOf(al alias) (int64, bool) {
	if al.member == "" {
		return a.count(al.key)
	}
	v, ok := a.member(al.key, al.member)
	if !ok {
		return 0, false
	}
	n, ok := asInt(v)
	if !ok {
		a.p.malformed = true
	}
	return n, ok
}

func (a *attrView) numberOf(al alias) (float64, bool) {
	if al.member == "" {
		return a.number(al.key)
	}
	v, ok := a.member(al.key, al.member)
	if !ok {
		return 0, false
	}
	n, ok := asFloat(v)
	if !ok || n < 0 {
		a.p.malformed = true
		return 0, false
	}
	return n, true
}

// unwrapOutput reduces LangSmith's {"output": x} run outputs to x.
func unwrapOutput(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if out, ok := m["output"]; ok {
			return out
		}
	}
	return v
}
