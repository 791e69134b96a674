package mapping

import (
	"strings"
)

// Framework objects where text belongs, and framework-native usage objects. Each dialect file lists
// the forms of its frameworks (dialect.reprs, dialect.usage); decodeFrameworkValues reads them. A
// repr of a class no table names stays as it is and is counted (Stats.UnknownReprs), so that a
// form missing from the tables can be found.

// reprForm is one Python class whose repr may stand where text belongs.
type reprForm struct {
	class string
	// text lists the fields holding the text, first with text wins. A field's value is decoded again
	// (a nested object of a known class, a list of blocks whose texts are joined, a dict's text).
	text      []string
	framework string // for docs
}

// entityForm is one framework's document of a call's arguments (all of members, no other): the text
// the span was given is member text; its other members (the agent's configuration, the tools) are
// the framework's plumbing, not content.
type entityForm struct {
	members   []string
	text      string
	framework string // for docs
}

// usageShape is one framework's usage object: the member of a document (or repr) holding token counts.
type usageShape struct {
	key, in, out, total string
	framework           string
}

// modelKeys name the model in a framework's own response object (top level of the document).
var modelKeys = []string{"model", "model_name", "model_id", "ai_model_id", "modelVersion"}

// answerTool is a framework's tool through which the model gives its final answer.
type answerTool struct {
	name, arg string // the tool's name and the argument holding the answer
	framework string // for docs
}

var (
	reprTable   = map[string]reprForm{}
	usageShapes []usageShape
	entityForms []entityForm
	answerTools = map[string]answerTool{}
	prefixes    []string
	entryCalls  []entryCall
)

// entryCall is an agent entry point's recorded arguments: text names the one holding the user's
// text, others the rest it may record beside it.
type entryCall struct {
	text      string
	others    []string
	framework string // for docs
}

func init() {
	for _, d := range dialects {
		for _, r := range d.reprs {
			reprTable[r.class] = r
		}
		usageShapes = append(usageShapes, d.usage...)
		entityForms = append(entityForms, d.entities...)
		for _, a := range d.answerTools {
			answerTools[a.name] = a
		}
		prefixes = append(prefixes, d.promptPrefixes...)
		entryCalls = append(entryCalls, d.entryArgs...)
	}
}

// answerToolsAsAnswers makes a model's call of a framework's answer tool (smolagents' final_answer)
// the text it answers, and that tool's own span no tool call: the answer is one output record,
// with the model call's model and tokens, and no tool_call of the application.
func answerToolsAsAnswers(u *unit) {
	f := &u.facts
	if _, ok := answerTools[f.toolName]; ok && f.kind == kindTool {
		f.kind = kindOther
		return
	}
	if f.kind != kindLLM {
		return
	}
	for i := range f.inputs {
		if f.inputs[i].role != "user" {
			continue
		}
		for j := range f.inputs[i].parts {
			if p := &f.inputs[i].parts[j]; p.kind == partText {
				for _, pre := range prefixes {
					p.text = strings.TrimPrefix(p.text, pre)
				}
			}
		}
	}
	for i := range f.outputs {
		for j := range f.outputs[i].parts {
			p := &f.outputs[i].parts[j]
			at, ok := answerTools[p.name]
			if p.kind != partToolCall || !ok {
				continue
			}
			if args, isMap := p.args.(map[string]any); isMap {
				if text, isStr := args[at.arg].(string); isStr {
					*p = part{kind: partText, text: text}
				}
			}
		}
	}
}

// decodeFrameworkValues rewrites the unit's message texts that are framework reprs into their text,
// and takes model and tokens from the reprs (or the usage objects) when the span's attributes gave
// none. It reports how many texts were reprs of no known class (left as they are).
func decodeFrameworkValues(u *unit) (unknown int) {
	answerToolsAsAnswers(u)
	f := &u.facts
	for _, msgs := range [][]message{f.inputs, f.outputs} {
		for i := range msgs {
			for j := range msgs[i].parts {
				p := &msgs[i].parts[j]
				if p.kind != partText || !looksLikePyRepr(p.text) {
					continue
				}
				v, ok := parsePyRepr(p.text)
				if !ok {
					unknown++
					continue
				}
				text, known := reprText(v, 0)
				if !known {
					unknown++
					continue
				}
				p.text = text
				if f.kind == kindLLM {
					usageInto(v, f)
				}
			}
		}
	}
	return unknown
}

// reprText is the text a parsed repr holds, and whether its class (all nested ones) is known.
func reprText(v any, depth int) (string, bool) {
	if depth > maxReprDepth {
		return "", false
	}
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case []any:
		var texts []string
		for _, e := range t {
			if s, ok := reprText(e, depth+1); ok && s != "" {
				texts = append(texts, s)
			}
		}
		return strings.Join(texts, "\n"), true
	case map[string]any:
		class, isObj := t[pyClassKey].(string)
		if !isObj {
			return getStr(t, "text", "content"), true
		}
		form, known := reprTable[class]
		if !known {
			return "", false
		}
		for _, field := range form.text {
			if s, ok := reprText(t[field], depth+1); ok && s != "" {
				return s, true
			}
		}
		return "", true
	}
	return "", true
}

// usageInto fills the facts' model and token counts from a framework's own response object (a
// decoded JSON document or a parsed repr) when the attributes gave none.
func usageInto(v any, f *facts) {
	doc, ok := v.(map[string]any)
	if !ok {
		return
	}
	if f.model() == "" {
		if s := getStr(doc, modelKeys...); s != "" {
			f.responseModel = s
		}
	}
	if f.tokens.in != nil || f.tokens.out != nil {
		return
	}
	findUsage(doc, f, 0)
}

func findUsage(doc map[string]any, f *facts, depth int) bool {
	for _, sh := range usageShapes {
		u, ok := doc[sh.key].(map[string]any)
		if !ok {
			continue
		}
		in, okIn := asInt(u[sh.in])
		out, okOut := asInt(u[sh.out])
		if !okIn || !okOut || in < 0 || out < 0 {
			continue
		}
		f.tokens.in, f.tokens.out = &in, &out
		if total, ok := asInt(u[sh.total]); ok && sh.total != "" && total >= 0 {
			f.tokens.total = &total
		}
		return true
	}
	if depth >= 3 {
		return false
	}
	for _, k := range []string{"message", "raw", "response", "response_metadata", "output"} {
		if inner, ok := doc[k].(map[string]any); ok && findUsage(inner, f, depth+1) {
			return true
		}
	}
	return false
}

// entryText is the user's text in an agent entry point's recorded arguments (smolagents' run:
// {"task": …, "stream": …, "reset": …}), when the map holds nothing else.
func entryText(m map[string]any) (string, bool) {
	for _, c := range entryCalls {
		text, ok := m[c.text].(string)
		if !ok {
			continue
		}
		n := 1
		for _, k := range c.others {
			if _, has := m[k]; has {
				n++
			}
		}
		if n == len(m) {
			return text, true
		}
	}
	return "", false
}
