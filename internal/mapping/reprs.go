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

var (
	reprTable   = map[string]reprForm{}
	usageShapes []usageShape
	entityForms []entityForm
)

func init() {
	for _, d := range dialects {
		for _, r := range d.reprs {
			reprTable[r.class] = r
		}
		usageShapes = append(usageShapes, d.usage...)
		entityForms = append(entityForms, d.entities...)
	}
}

// decodeFrameworkValues rewrites the unit's message texts that are framework reprs into their text,
// and takes model and tokens from the reprs (or the usage objects) when the span's attributes gave
// none. It reports how many texts were reprs of no known class (left as they are).
func decodeFrameworkValues(u *unit) (unknown int) {
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
