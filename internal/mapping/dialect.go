package mapping

import (
	"slices"
	"strings"
)

// A dialect is one attribute convention as data: how a span of it is recognised, the attribute
// values that name its span kinds, and per record field the attribute keys (aliases) that feed it.
// One engine (classify, extract, lookupIdentity) reads every dialect's table; a new convention is a
// new dialect_*.go file plus a golden test. docs/audit-record.md's per-dialect tables are rendered
// from these tables and a test keeps them equal (dialect_docs_test.go).
type dialect struct {
	name  string // Source.convention of the spans it recognises
	title string // heading of its table in docs/audit-record.md
	// markers are keys whose presence says a span speaks this dialect; recognise, when set, decides
	// instead (for dialects recognised by the span name).
	markers   []string
	recognise func(a *attrView, spanName string) bool
	// marksSpans: a span of this dialect is an AI framework's span even when its kind is "other", so
	// its failures are recorded.
	marksSpans bool
	kinds      []kindRule
	fields     map[field][]alias
	// reprs are its frameworks' objects whose repr may stand where text belongs; usage their own
	// usage objects (reprs.go reads both).
	reprs []reprForm
	usage []usageShape
	// entities are its frameworks' call-argument documents that stand as a span's entity input or
	// output, and the member holding what the span was given (facts.go, unwrapEntity).
	entities []entityForm
	// answerTools are its frameworks' tools for giving the final answer (reprs.go): the model's
	// call of one is its answer, and executing it is no tool call of the application.
	answerTools []answerTool
	// promptPrefixes are what its frameworks write before the user's text in the model's user
	// message (smolagents' "New task:\n"); entryArgs the agent entry points whose recorded call
	// arguments hold the user's text (reprs.go).
	promptPrefixes []string
	entryArgs      []entryCall
	// logs, when set, makes this a log dialect: how it recognises an application's log record and
	// which event the record is (logdialect.go); fields then name members of the log's document.
	logs *logRules
}

// kindRule names span kinds by the value of one attribute. Rules of all dialects are tried in rank
// order; the first that matches decides the kind.
type kindRule struct {
	rank int
	key  string
	// value, when set, computes the value instead of reading key (Vercel: ai.operationId or the span name).
	value func(a *attrView, spanName string) (string, bool)
	// values and suffixes map lowercased values (or their ends) to a kind; rootValues apply to spans
	// without a parent and are tried first.
	values, suffixes, rootValues map[string]kindOp
	// any: every present value names this kind (OpenLLMetry's llm.request.type).
	any *kindOp
	// present: the kind follows from any of these keys being present (key is unused).
	present []string
	// others: a present value the rule does not list makes the span "other" (marked by a framework).
	others bool
	// lower: the operation taken from the value is lowercased.
	lower bool
	// ownSpans: the rule applies only to spans recognised as its dialect.
	ownSpans bool
	// marks: the key's presence marks the span as a framework's (see facts.recognised).
	marks bool
	// lazy: the attribute is read (and consumed) only when no earlier rule decided.
	lazy bool
	doc  string
}

// kindOp is a span kind and the operation an envelope records; op "" takes the attribute's value.
type kindOp struct {
	kind spanKind
	op   string
}

// field is a record field that attributes feed.
type field int

const (
	fieldRequestModel field = iota
	fieldResponseModel
	fieldProvider
	fieldAgentName
	fieldAgentID
	fieldAgentVersion
	fieldAgentSpanName // agent spans that name no agent otherwise
	fieldErrorType
	fieldFailed        // a level or state attribute that says the span failed
	fieldStatusMessage // the failure message when the span status has none
	fieldFinishReason
	fieldTokensIn
	fieldTokensOut
	fieldTokensTotal
	fieldCost
	fieldSystem
	fieldInput
	fieldOutput
	fieldEntityInput  // the agent's (or a model span's) input when no message attribute carried one
	fieldEntityOutput // likewise the output
	fieldToolName
	fieldToolCallID
	fieldToolArgs
	fieldToolResult
	// Fields only log dialects feed (their events carry what a span says by its shape).
	fieldDuration
	fieldErrorStack
	fieldRecovery
	fieldThought
	fieldPlan
	fieldConfidence
	numFields
)

// fieldInfo says how the engine reads a field: every alias in order (all) or the first present one,
// for which span kinds (zero: all), and how docs name it.
var fieldInfo = [numFields]struct {
	doc    string
	logDoc string // the name in a log dialect's table, when doc speaks of spans
	all    bool
	kinds  kindSet
}{
	fieldRequestModel:  {doc: "`model` (request)"},
	fieldResponseModel: {doc: "`model` (response; wins)"},
	fieldProvider:      {doc: "`provider`"},
	fieldAgentName:     {doc: "`agent.name`"},
	fieldAgentID:       {doc: "`agent.id`"},
	fieldAgentVersion:  {doc: "`agent.version`"},
	fieldAgentSpanName: {doc: "`agent.name` of an agent span naming none", kinds: kinds(kindAgent)},
	fieldErrorType:     {doc: "`error.type`, failure", logDoc: "`error.type`"},
	fieldFailed:        {doc: "failure (span status ERROR and `exception` events always count)", logDoc: "failure"},
	fieldStatusMessage: {doc: "`error.message` when the span status has none", logDoc: "`error.message`"},
	fieldFinishReason:  {doc: "`output.finish_reason` (last present wins)", all: true},
	fieldTokensIn:      {doc: "`tokens.input`", kinds: kinds(kindLLM)},
	fieldTokensOut:     {doc: "`tokens.output`", kinds: kinds(kindLLM)},
	fieldTokensTotal:   {doc: "`tokens.total`", kinds: kinds(kindLLM)},
	fieldCost:          {doc: "`cost`", kinds: kinds(kindLLM)},
	fieldSystem:        {doc: "`input` (system)", all: true},
	fieldInput:         {doc: "`input` (user; all present are read)", logDoc: "`input`", all: true},
	fieldOutput:        {doc: "`output` (all present are read)", logDoc: "`output`", all: true},
	fieldEntityInput:   {doc: "`input` when no message attribute carried one", kinds: kinds(kindOther, kindAgent, kindStep, kindLLM)},
	fieldEntityOutput:  {doc: "`output` when no message attribute carried one", kinds: kinds(kindOther, kindAgent, kindStep, kindLLM)},
	fieldToolName:      {doc: "`tool_call.tool_name`", kinds: kinds(kindTool)},
	fieldToolCallID:    {doc: "`tool_call.call_id`", kinds: kinds(kindTool)},
	fieldToolArgs:      {doc: "`tool_call.parameters`", kinds: kinds(kindTool)},
	fieldToolResult:    {doc: "`tool_call.result`", kinds: kinds(kindTool)},
	fieldDuration:      {doc: "`tool_call.duration_ms` (milliseconds)"},
	fieldErrorStack:    {doc: "`error.stack_trace`"},
	fieldRecovery:      {doc: "`error.recovery_action`"},
	fieldThought:       {doc: "`reasoning.thought`"},
	fieldPlan:          {doc: "`reasoning.plan`"},
	fieldConfidence:    {doc: "`reasoning.confidence` (0–1)"},
}

// smallSet is a set of small enumerated values (span kinds, log events) as bits; zero means all.
type smallSet[E ~int | ~uint8] uint8

func setOf[E ~int | ~uint8](es ...E) smallSet[E] {
	var s smallSet[E]
	for _, e := range es {
		s |= 1 << e
	}
	return s
}

func (s smallSet[E]) has(e E) bool { return s == 0 || s&(1<<e) != 0 }

type kindSet = smallSet[spanKind]

func kinds(ks ...spanKind) kindSet { return setOf(ks...) }

// form is how an alias's value is read.
type form uint8

const (
	formText           form = iota // a scalar, as text
	formCount                      // a non-negative integer (numeric strings accepted)
	formNumber                     // a non-negative number
	formCostSum                    // key + also[0], both numbers, summed
	formFinishList                 // a list of strings, or one string
	formSystem                     // system instructions: parts or text
	formMessagesJSON               // a message list that must be JSON
	formMessages                   // a message list, JSON or plain text
	formFlatMessages               // key is the prefix of flattened key.N.* attributes
	formVercelPrompt               // {system, prompt | messages}
	formVercelResponse             // key (text), also: reasoning, tool calls — one assistant message
	formEntity                     // a wrapped single value ({"args":["…"]}, {"input":"…"}) or messages
	formValue                      // a structured value as is
	formKwargs                     // {"args":[],"kwargs":{…}} → the keyword arguments
	formUnwrapOutput               // {"output": x} → x
	formFailure                    // a value equal (case-insensitively) to match means failure
	formSpanName                   // the span's name (key unused)
	formProviderModel              // "provider/model": the model, and the provider when none is known
	formScalar                     // formText for members that may also hold an object (then skipped)
	formContent                    // a value as message text (structured values as compact JSON)
)

// alias is one attribute (or, with member, one member of a JSON attribute) that feeds a field.
type alias struct {
	key    string
	form   form
	member string   // dotted path inside the attribute's JSON document
	also   []string // further keys the form reads (cost sum, Vercel response)
	match  string   // formFailure: the failing value
	kinds  kindSet  // span kinds the alias applies to (zero: those of the field)
	// ownSpans: the alias applies only to spans of its dialect (its key is not namespaced, e.g. a
	// GenAI attribute that one dialect uses in its own way, or the span name).
	ownSpans bool
	// events: the log events the alias applies to (zero: all), for log dialects.
	events logEventSet
	owner  *dialect // set when the tables are compiled
	doc    string   // note for the docs table
	// keyBit is keyBit(key) when the alias reads nothing unless key is present (keyedForm), else
	// 0; set when the tables are compiled, it lets extract pass over absent aliases unread.
	keyBit uint64
}

// keyedForm reports whether an alias of form f supplies nothing, and reads nothing, when its key is
// absent: every form but those that read other keys (also) or no key at all, or take key as a prefix.
func keyedForm(f form) bool {
	switch f {
	case formFlatMessages, formVercelResponse, formSpanName:
		return false
	}
	return true
}

// dialects lists every dialect in recognition order; a span is of the first whose markers match.
// genAI, which recognises every span that no other dialect claims, is last.
var dialects = []*dialect{openInference, vercelAI, traceloop, langfuseSDK, langsmithOTel, firebaseGenkit, genAI}

// aliasOrder is the order in which dialects' aliases for one field are tried: GenAI's first, since
// other dialects' spans (Vercel AI, OpenLLMetry, LangSmith) also carry GenAI attributes.
var aliasOrder = []*dialect{genAI, vercelAI, openInference, traceloop, langfuseSDK, langsmithOTel, firebaseGenkit}

// The engine's compiled view of the tables, built once.
var (
	fieldAliases [numFields][]alias
	kindRules    []kindRule // of all dialects, by rank
	kindOwner    []*dialect // kindRules[i]'s dialect
)

func init() {
	for _, d := range aliasOrder {
		for f, as := range d.fields {
			for _, a := range as {
				a.owner = d
				if keyedForm(a.form) {
					a.keyBit = keyBit(a.key)
				}
				fieldAliases[f] = append(fieldAliases[f], a)
			}
		}
	}
	type owned struct {
		r kindRule
		d *dialect
	}
	var rules []owned
	for _, d := range dialects {
		for _, r := range d.kinds {
			rules = append(rules, owned{r, d})
		}
	}
	slices.SortStableFunc(rules, func(a, b owned) int { return a.r.rank - b.r.rank })
	for _, o := range rules {
		kindRules = append(kindRules, o.r)
		kindOwner = append(kindOwner, o.d)
	}
}

// classify decides a span's (or log's) dialect, kind and operation. root says the span has no parent.
func classify(a *attrView, spanName string, root bool, f *facts) {
	var own *dialect
	for _, d := range dialects {
		if d.recognises(a, spanName) {
			own = d
			break
		}
	}
	f.convention = own.name
	f.operation, _ = a.str("gen_ai.operation.name")
	// Every eager rule's attribute is read (and so consumed) whichever rule decides.
	var buf [16]string
	values := buf[:0]
	for _, r := range kindRules {
		var v string
		if !r.lazy {
			v = r.read(a, spanName)
		}
		values = append(values, v)
	}
	marked := own.marksSpans
	for i, r := range kindRules {
		if r.ownSpans && kindOwner[i] != own {
			continue
		}
		if len(r.present) > 0 {
			for _, k := range r.present {
				if a.has(k) {
					f.kind = r.any.kind
					if f.operation == "" {
						f.operation = r.any.op
					}
					goto done
				}
			}
			continue
		}
		v := values[i]
		if r.lazy {
			v = r.read(a, spanName)
		}
		if v == "" {
			continue
		}
		marked = marked || r.marks
		if ko, ok := r.kindOf(v, root); ok {
			f.kind, f.operation = ko.kind, ko.op
			break
		}
	}
done:
	f.recognised = f.kind != kindOther || marked
}

func (r *kindRule) read(a *attrView, spanName string) string {
	if r.value != nil {
		v, _ := r.value(a, spanName)
		return v
	}
	if r.key == "" {
		return ""
	}
	v, _ := a.str(r.key)
	return v
}

// kindOf returns the kind and operation a present value names, if the rule decides.
func (r *kindRule) kindOf(v string, root bool) (kindOp, bool) {
	low := strings.ToLower(v)
	op := v
	if r.lower {
		op = low
	}
	with := func(ko kindOp) (kindOp, bool) {
		if ko.op == "" {
			ko.op = op
		}
		return ko, true
	}
	if ko, hit := r.rootValues[low]; hit && root {
		return with(ko)
	}
	if ko, hit := r.values[low]; hit {
		return with(ko)
	}
	for suffix, ko := range r.suffixes {
		if strings.HasSuffix(low, suffix) {
			return with(ko)
		}
	}
	if r.any != nil {
		return with(*r.any)
	}
	if r.others {
		return with(kindOp{kind: kindOther})
	}
	return kindOp{}, false
}

func (d *dialect) recognises(a *attrView, spanName string) bool {
	if d.recognise != nil {
		return d.recognise(a, spanName)
	}
	for _, k := range d.markers {
		if a.has(k) {
			return true
		}
	}
	return len(d.markers) == 0
}

// extract reads every field the span's kind takes from the attributes, trying each field's aliases
// of all dialects in aliasOrder: keys are namespaced, so a span only matches its own (and GenAI's).
func extract(a *attrView, f *facts) {
	for fl := range numFields {
		info := fieldInfo[fl]
		if !info.kinds.has(f.kind) {
			continue
		}
		switch fl {
		case fieldEntityInput:
			if len(f.inputs) > 0 {
				continue
			}
		case fieldEntityOutput:
			if len(f.outputs) > 0 {
				continue
			}
		case fieldAgentSpanName:
			if f.agent.name != "" {
				continue
			}
		}
		for _, al := range fieldAliases[fl] {
			if (al.kinds != 0 && !al.kinds.has(f.kind)) || (al.ownSpans && al.owner.name != f.convention) {
				continue
			}
			if al.keyBit != 0 && a.filtered && a.keys&al.keyBit == 0 {
				continue // its key is absent (attrView.get would say so)
			}
			if readAlias(a, al, fl, f) && !info.all {
				break
			}
		}
	}
	extractReasoningAttrs(a, f)
}
