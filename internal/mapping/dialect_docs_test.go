package mapping

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated tables in docs/audit-record.md")

const auditRecordDoc = "../../docs/audit-record.md"

// TestDocsTablesMatchDialects keeps docs/audit-record.md's per-dialect tables and its session and
// user precedence table equal to the tables the mapping runs on. Regenerate with
// go test ./internal/mapping -run TestDocsTablesMatchDialects -update-docs.
func TestDocsTablesMatchDialects(t *testing.T) {
	raw, err := os.ReadFile(auditRecordDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	sections := map[string]string{"identity": renderIdentityTable(), "reprs": renderReprTable()}
	for _, d := range append(slices.Clone(dialects), logDialects...) {
		sections["dialect:"+d.name] = renderDialectTable(d)
	}
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	slices.Sort(names)
	updated := doc
	for _, name := range names {
		re := regexp.MustCompile(`(?s)(<!-- generated:` + regexp.QuoteMeta(name) + ` [^>]*-->\n).*?(<!-- /generated:` + regexp.QuoteMeta(name) + ` -->)`)
		m := re.FindStringSubmatchIndex(updated)
		if m == nil {
			t.Errorf("docs/audit-record.md has no section <!-- generated:%s … --> … <!-- /generated:%s -->", name, name)
			continue
		}
		current := updated[m[3]:m[4]]
		if current != sections[name] {
			if !*updateDocs {
				t.Errorf("docs/audit-record.md table %s differs from the code's (run with -update-docs):\n--- docs ---\n%s--- code ---\n%s", name, current, sections[name])
			}
			updated = updated[:m[3]] + sections[name] + updated[m[4]:]
		}
	}
	if *updateDocs && updated != doc {
		if err := os.WriteFile(filepath.Clean(auditRecordDoc), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// renderReprTable lists every dialect's framework reprs and usage objects.
func renderReprTable() string {
	var b strings.Builder
	b.WriteString("| Dialect | Framework | Form | Read |\n|---|---|---|---|\n")
	for _, d := range dialects {
		for _, r := range d.reprs {
			fields := make([]string, len(r.text))
			for i, f := range r.text {
				fields[i] = code(f)
			}
			fmt.Fprintf(&b, "| %s | %s | repr %s | text from %s |\n", code(d.name), r.framework, code(r.class+"(…)"), strings.Join(fields, ", then "))
		}
		for _, u := range d.usage {
			total := ""
			if u.total != "" {
				total = ", " + code(u.total)
			}
			fmt.Fprintf(&b, "| %s | %s | usage %s | tokens from %s, %s%s |\n", code(d.name), u.framework, code(u.key), code(u.in), code(u.out), total)
		}
	}
	return b.String()
}

var kindNames = map[spanKind]string{kindAgent: "agent", kindStep: "step", kindLLM: "model call", kindTool: "tool", kindOther: "other"}

func code(s string) string { return "`" + s + "`" }

func renderKindRule(r kindRule) string {
	if len(r.present) > 0 {
		keys := make([]string, len(r.present))
		for i, k := range r.present {
			keys[i] = code(k)
		}
		return strings.Join(keys, " or ") + " present → " + kindNames[r.any.kind]
	}
	var b strings.Builder
	if r.doc != "" && r.value != nil {
		b.WriteString(r.doc)
	} else {
		b.WriteString(code(r.key))
	}
	var parts []string
	byKind := func(prefix string, m map[string]kindOp, suffix bool) {
		groups := map[spanKind][]string{}
		for v, ko := range m {
			if suffix {
				v = "*" + v
			}
			groups[ko.kind] = append(groups[ko.kind], code(v))
		}
		for _, k := range []spanKind{kindAgent, kindStep, kindLLM, kindTool, kindOther} {
			if vs := groups[k]; len(vs) > 0 {
				slices.Sort(vs)
				parts = append(parts, prefix+strings.Join(vs, ", ")+" → "+kindNames[k])
			}
		}
	}
	byKind("at the root ", r.rootValues, false)
	byKind("", r.values, false)
	byKind("", r.suffixes, true)
	if r.any != nil {
		parts = append(parts, "any value → "+kindNames[r.any.kind])
	}
	if r.others {
		parts = append(parts, "other values → other (framework-marked)")
	}
	b.WriteString(": " + strings.Join(parts, "; "))
	if r.ownSpans {
		b.WriteString(" (spans of this dialect only)")
	}
	if r.doc != "" && r.value == nil {
		b.WriteString(" (" + r.doc + ")")
	}
	return b.String()
}

func renderAlias(a alias) string {
	s := code(a.key)
	if a.form == formSpanName {
		s = "the span name"
	}
	if a.form == formFlatMessages {
		s = code(a.key + "N.*")
	}
	if a.member != "" {
		s = code(a.key) + " → " + code(a.member)
	}
	if a.form == formFailure {
		s += " = " + code(a.match)
	}
	var also strings.Builder
	for _, k := range a.also {
		also.WriteString(", " + code(k))
	}
	s += also.String()
	if a.kinds != 0 {
		var ks []string
		for _, k := range []spanKind{kindOther, kindAgent, kindStep, kindLLM, kindTool} {
			if a.kinds&(1<<k) != 0 {
				ks = append(ks, kindNames[k])
			}
		}
		s += " [" + strings.Join(ks, ", ") + " spans]"
	}
	if a.events != 0 {
		var es []string
		for e := logInput; e <= logError; e++ {
			if a.events.has(e) {
				es = append(es, logEventNames[e])
			}
		}
		s += " [" + strings.Join(es, ", ") + "]"
	}
	if a.doc != "" && a.form != formSpanName {
		s += " — " + a.doc
	}
	return strings.ReplaceAll(s, "|", `\|`) // a table cell
}

func renderDialectTable(d *dialect) string {
	var b strings.Builder
	if d.logs != nil {
		b.WriteString("| Record field | Document members (in order; the first present wins; [events] the alias is read for) |\n|---|---|\n")
	} else {
		b.WriteString("| Record field | Attributes (in order; the first present wins unless the field says otherwise) |\n|---|---|\n")
	}
	var recognised []string
	if d.recognise != nil {
		recognised = append(recognised, "the span name or attributes (see the kind row)")
	}
	for _, k := range d.markers {
		recognised = append(recognised, code(k))
	}
	switch {
	case d.logs != nil:
		recognised = append(recognised, "log records that name no GenAI event and whose document names an event (below)")
	case len(recognised) == 0:
		recognised = append(recognised, "every span no other dialect claims")
	}
	fmt.Fprintf(&b, "| dialect (`source.convention` = `%s`) | %s |\n", d.name, strings.Join(recognised, ", "))
	for _, r := range d.kinds {
		fmt.Fprintf(&b, "| kind | %s |\n", renderKindRule(r))
	}
	if d.logs != nil {
		renderLogRules(&b, d.logs)
	}
	for fl := range numFields {
		as := d.fields[fl]
		if len(as) == 0 {
			continue
		}
		rendered := make([]string, len(as))
		for i, a := range as {
			rendered[i] = renderAlias(a)
		}
		name := fieldInfo[fl].doc
		if d.logs != nil && fieldInfo[fl].logDoc != "" {
			name = fieldInfo[fl].logDoc
		}
		fmt.Fprintf(&b, "| %s | %s |\n", name, strings.Join(rendered, "; "))
	}
	var session, user []string
	for _, k := range sessionKeys {
		if ownsKey(d, k.key) {
			session = append(session, code(k.key))
		}
	}
	for _, k := range conversationKeys {
		if ownsKey(d, k.key) {
			session = append(session, code(k.key)+" (also `conversation_id`)")
		}
	}
	for _, k := range userKeys {
		if ownsKey(d, k.key) {
			user = append(user, code(k.key))
		}
	}
	if d.logs != nil {
		for _, k := range d.logs.sessionKeys {
			session = append(session, code(k.key))
		}
		for _, k := range d.logs.userKeys {
			user = append(user, code(k.key))
		}
	}
	if len(session)+len(user) > 0 {
		fmt.Fprintf(&b, "| `session_id`, `user_id` | %s; %s (see precedence) |\n", orNone(session), orNone(user))
	}
	return b.String()
}

// renderLogRules renders how a log dialect recognises an event.
func renderLogRules(b *strings.Builder, r *logRules) {
	var keys []string
	for _, k := range r.typeKeys {
		s := code(k.key)
		if k.needsIdentity {
			s += " (with a session or user)"
		}
		keys = append(keys, s)
	}
	byEvent := map[logEvent][]string{}
	for v, e := range r.types {
		byEvent[e] = append(byEvent[e], code(v))
	}
	var parts []string
	for e := logInput; e <= logError; e++ {
		if vs := byEvent[e]; len(vs) > 0 {
			slices.Sort(vs)
			parts = append(parts, strings.Join(vs, ", ")+" → "+logEventNames[e])
		}
	}
	fmt.Fprintf(b, "| event | %s (the first present; case, `-`, `.`, ` ` and `/` ignored): %s |\n", strings.Join(keys, ", "), strings.Join(parts, "; "))
	if len(r.objects) > 0 {
		var objs []string
		for _, o := range r.objects {
			objs = append(objs, code(o.name)+" → "+logEventNames[o.event])
		}
		var flat []string
		for _, f := range r.flatten {
			flat = append(flat, code(f))
		}
		fmt.Fprintf(b, "| event (nested) | an object member %s; its members (and those of its %s) are read as the record's own, `<object>.<member>` where they clash |\n", strings.Join(objs, ", "), strings.Join(flat, ", "))
	}
	if len(r.errorLogs) > 0 {
		var ks []string
		for _, k := range r.errorLogs {
			ks = append(ks, code(k))
		}
		fmt.Fprintf(b, "| event (failure) | severity ERROR or FATAL with %s, in a session → error |\n", strings.Join(ks, " or "))
	}
	if len(r.timeKeys) > 0 {
		var ks []string
		for _, k := range r.timeKeys {
			ks = append(ks, code(k))
		}
		fmt.Fprintf(b, "| `timestamp` | the log record's time, else %s (ISO 8601, or epoch s/ms/µs/ns) |\n", strings.Join(ks, ", "))
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "—"
	}
	return strings.Join(s, ", ")
}

// identityPrefixes says which dialect's table lists an identity key.
var identityPrefixes = map[string][]string{
	convGenAI:         {"gen_ai.", "session.id", "user.id", "enduser."},
	convVercel:        {"ai."},
	convTraceloop:     {"traceloop."},
	convOpenInference: {},
	"langfuse":        {"langfuse."},
	"langsmith":       {"langsmith."},
	"genkit":          {"genkit:"},
	convAgentLog:      {"session.id", "user.id"},
}

func ownsKey(d *dialect, key string) bool {
	for _, p := range identityPrefixes[d.name] {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func renderIdentityTable() string {
	var b strings.Builder
	b.WriteString("| # | Session id (explicit) | User id |\n|---|---|---|\n")
	n := max(len(sessionKeys)+1, len(userKeys)+1)
	for i := range n {
		cell := func(keys []identityKey, last string) string {
			switch {
			case i < len(keys):
				return code(keys[i].key) + " (" + keys[i].note + ")"
			case i == len(keys):
				return last
			}
			return ""
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", i+1,
			cell(sessionKeys, "OpenInference `metadata` JSON: `sessionId` / `session_id`"),
			cell(userKeys, "OpenInference `metadata` JSON: `userId` / `user_id`"))
	}
	for i, k := range conversationKeys {
		fmt.Fprintf(&b, "| conversation %d | %s (%s): `conversation_id`, and `session_id` when no explicit session is known | |\n", i+1, code(k.key), k.note)
	}
	return b.String()
}
