package mapping

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// LogMapping is a user-defined log dialect for an in-house log shape (the exporter's log_mappings):
// a log record whose document (attributes and body members, see logdialect.go) matches every
// condition is one event, and Fields say which member feeds which record field. It is compiled into
// the same table as the built-in dialects and tried before them.
type LogMapping struct {
	// Name is the records' source.convention.
	Name string `mapstructure:"name"`
	// Match: every condition must hold.
	Match []LogMatch `mapstructure:"match"`
	// Event is the record the log becomes: input, reasoning, tool_call, output or error.
	Event string `mapstructure:"event"`
	// Fields maps record fields (userMappingFields' names) to member paths of the document
	// ("payload.tool.name": a key as written, else map members segment by segment).
	Fields map[string]string `mapstructure:"fields"`
}

// LogMatch is one condition: the member at Field has the value Equals (compared as text).
type LogMatch struct {
	Field  string `mapstructure:"field"`
	Equals string `mapstructure:"equals"`
}

// userField is what a record field name in a mapping's Fields feeds.
type userField struct {
	field field
	form  form
	// session and user feed the record's identity instead of a field.
	session, user bool
}

// userMappingFields are the record fields a user-defined mapping can feed, by the name the record
// (docs/audit-record.md) gives them.
var userMappingFields = map[string]userField{
	"session_id":            {session: true},
	"user_id":               {user: true},
	"agent.name":            {field: fieldAgentName, form: formScalar},
	"agent.id":              {field: fieldAgentID, form: formScalar},
	"input.content":         {field: fieldInput, form: formContent},
	"output.content":        {field: fieldOutput, form: formContent},
	"output.model":          {field: fieldRequestModel, form: formScalar},
	"output.provider":       {field: fieldProvider, form: formScalar},
	"tokens.input":          {field: fieldTokensIn, form: formCount},
	"tokens.output":         {field: fieldTokensOut, form: formCount},
	"tokens.total":          {field: fieldTokensTotal, form: formCount},
	"cost":                  {field: fieldCost, form: formNumber},
	"tool_call.tool_name":   {field: fieldToolName, form: formScalar},
	"tool_call.call_id":     {field: fieldToolCallID, form: formScalar},
	"tool_call.parameters":  {field: fieldToolArgs, form: formValue},
	"tool_call.result":      {field: fieldToolResult, form: formValue},
	"tool_call.duration_ms": {field: fieldDuration, form: formNumber},
	"error.type":            {field: fieldErrorType, form: formScalar},
	"error.message":         {field: fieldStatusMessage, form: formScalar},
	"error.stack_trace":     {field: fieldErrorStack, form: formScalar},
	"error.recovery_action": {field: fieldRecovery, form: formScalar},
	"reasoning.thought":     {field: fieldThought, form: formScalar},
	"reasoning.plan":        {field: fieldPlan, form: formContent},
	"reasoning.confidence":  {field: fieldConfidence, form: formNumber},
}

// UserMappingFields lists the record field names a LogMapping's Fields may use, sorted.
func UserMappingFields() []string {
	names := make([]string, 0, len(userMappingFields))
	for n := range userMappingFields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var mappingName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// eventByName reads a mapping's Event.
func eventByName(name string) (logEvent, bool) {
	for e := logInput; e <= logError; e++ {
		if logEventNames[e] == name {
			return e, true
		}
	}
	return logNone, false
}

// Problems lists every problem of the mapping, each naming its field relative to the mapping
// ("event: …"); the exporter's Config.Validate prefixes its place in log_mappings. (It is not named
// Validate: the collector would validate each list element itself, under a path of its own.)
func (lm LogMapping) Problems() []error {
	var errs []error
	if !mappingName.MatchString(lm.Name) {
		errs = append(errs, fmt.Errorf("name: %q must be 1-64 of a-z, 0-9, _ . - starting with a letter", lm.Name))
	}
	if _, ok := eventByName(lm.Event); !ok {
		errs = append(errs, fmt.Errorf("event: %q is not one of input, reasoning, tool_call, output, error", lm.Event))
	}
	if len(lm.Match) == 0 {
		errs = append(errs, errors.New("match: needs at least one condition (field and equals), or every log record would match"))
	}
	for i, c := range lm.Match {
		if strings.TrimSpace(c.Field) == "" {
			errs = append(errs, fmt.Errorf("match[%d].field: must be set", i))
		}
	}
	if len(lm.Fields) == 0 {
		errs = append(errs, errors.New("fields: needs at least one record field"))
	}
	for _, name := range slices.Sorted(maps.Keys(lm.Fields)) {
		if _, ok := userMappingFields[name]; !ok {
			errs = append(errs, fmt.Errorf("fields.%s: not a record field (one of %s)", name, strings.Join(UserMappingFields(), ", ")))
		} else if strings.TrimSpace(lm.Fields[name]) == "" {
			errs = append(errs, fmt.Errorf("fields.%s: the member path must be set", name))
		}
	}
	return errs
}

// pathAliases are the ways a member path can be read: the whole path as one key, then each split
// into a key and a member path inside it ("a.b.c": "a.b.c"; "a" → "b.c"; "a.b" → "c").
func pathAliases(path string, f form) []alias {
	out := []alias{{key: path, form: f}}
	for i := range len(path) {
		if path[i] == '.' && i > 0 && i < len(path)-1 {
			out = append(out, alias{key: path[:i], member: path[i+1:], form: f})
		}
	}
	return out
}

// compile turns a valid mapping into a log dialect.
func (lm LogMapping) compile() (*dialect, error) {
	if errs := lm.Problems(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ev, _ := eventByName(lm.Event)
	d := &dialect{name: lm.Name, title: lm.Name, fields: map[field][]alias{}, logs: &logRules{event: ev}}
	for _, c := range lm.Match {
		d.logs.match = append(d.logs.match, logMatch{path: c.Field, value: c.Equals})
	}
	for _, name := range slices.Sorted(maps.Keys(lm.Fields)) {
		uf := userMappingFields[name]
		path := lm.Fields[name]
		switch {
		case uf.session:
			d.logs.sessionAliases = append(d.logs.sessionAliases, pathAliases(path, formScalar)...)
		case uf.user:
			d.logs.userAliases = append(d.logs.userAliases, pathAliases(path, formScalar)...)
		default:
			d.fields[uf.field] = append(d.fields[uf.field], pathAliases(path, uf.form)...)
		}
	}
	return d, nil
}

// compileLogMappings compiles the mappings, the user's first; invalid ones (the exporter's config
// validation refuses them before) are left out.
func compileLogMappings(lms []LogMapping) []*dialect {
	var out []*dialect
	for _, lm := range lms {
		if d, err := lm.compile(); err == nil {
			out = append(out, d)
		}
	}
	return append(out, logDialects...)
}

// firstAlias is the first alias's scalar text.
func firstAlias(a *attrView, as []alias) string {
	for _, al := range as {
		if a.scalar(al) {
			if s, ok := a.text(al); ok && s != "" {
				return s
			}
		}
	}
	return ""
}
