package mapping

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// identityKey is one row of the session and user precedence table (docs/audit-record.md renders
// it from these lists; dialect_docs_test.go keeps the two equal).
type identityKey struct {
	key  string
	note string // who sets it
}

// sessionKeys are the explicit application sessions, looked up in this order on the span or log,
// then on the resource, then on the other spans of the trace. Any of them wins over a framework's
// conversation id (conversationKeys), which is kept as the record's conversation_id.
var sessionKeys = []identityKey{
	{"langfuse.session.id", "Langfuse"},
	{"session.id", "OpenTelemetry, Langfuse SDK, OpenInference"},
	{"ai.telemetry.metadata.sessionId", "Vercel AI ≤ 6"},
	{"ai.settings.context.sessionId", "Vercel AI 7 runtime context"},
	{"traceloop.association.properties.session_id", "OpenLLMetry"},
	{"traceloop.association.properties.sessionId", "OpenLLMetry"},
	{"langsmith.metadata.session_id", "LangSmith thread metadata"},
	{"langsmith.metadata.thread_id", "LangSmith thread metadata"},
	{"langsmith.metadata.conversation_id", "LangSmith thread metadata"},
	{"genkit:sessionId", "Genkit chat sessions"},
}

// conversationKeys are conversation ids a framework may generate per run.
var conversationKeys = []identityKey{
	{"gen_ai.conversation.id", "GenAI semantic conventions"},
}

var userKeys = []identityKey{
	{"langfuse.user.id", "Langfuse"},
	{"user.id", "OpenTelemetry, Langfuse SDK, OpenInference"},
	{"enduser.id", "OpenTelemetry"},
	{"enduser.pseudo.id", "OpenTelemetry"},
	{"ai.telemetry.metadata.userId", "Vercel AI ≤ 6"},
	{"ai.settings.context.userId", "Vercel AI 7 runtime context"},
	{"traceloop.association.properties.user_id", "OpenLLMetry"},
	{"traceloop.association.properties.userId", "OpenLLMetry"},
	{"langsmith.metadata.user_id", "LangSmith metadata"},
}

// metadataKey is OpenInference's JSON metadata attribute; its sessionId/session_id (userId/user_id)
// is the last resort. It is not consumed: it usually carries more than the ids.
const metadataKey = "metadata"

// identity is who a span or log is about.
type identity struct {
	session      string // an explicit application session
	conversation string // a framework's conversation id
	user         string
}

func firstKey(a *attrView, keys []identityKey) string {
	for _, k := range keys {
		if s, ok := a.str(k.key); ok && s != "" {
			return s
		}
	}
	return ""
}

// lookupIdentity returns the ids an attribute set carries, consuming the keys that supplied them.
func lookupIdentity(a *attrView) identity {
	id := identity{session: firstKey(a, sessionKeys), conversation: firstKey(a, conversationKeys), user: firstKey(a, userKeys)}
	if id.session != "" && id.user != "" {
		return id
	}
	v, ok := a.get(metadataKey)
	if !ok {
		return id
	}
	var meta map[string]any
	switch v.Type() {
	case pcommon.ValueTypeMap:
		meta, _ = rawValue(v, 0).(map[string]any)
	case pcommon.ValueTypeStr:
		if j, ok := decodeJSON(v.Str()); ok {
			meta, _ = j.(map[string]any)
		}
	}
	if meta == nil {
		return id
	}
	if id.session == "" {
		id.session = a.m.cleanString(getStr(meta, "sessionId", "session_id"), a.p)
	}
	if id.user == "" {
		id.user = a.m.cleanString(getStr(meta, "userId", "user_id"), a.p)
	}
	return id
}

// fill takes what id lacks from o.
func (id *identity) fill(o identity) {
	if id.session == "" {
		id.session = o.session
	}
	if id.conversation == "" {
		id.conversation = o.conversation
	}
	if id.user == "" {
		id.user = o.user
	}
}

// sessionID is the record's session: the explicit session, else the conversation id.
func (id identity) sessionID() string {
	if id.session != "" {
		return id.session
	}
	return id.conversation
}

// conversationID is the record's conversation_id: the framework's conversation id, unless it is the
// explicit session itself. A record whose session_id equals its conversation_id therefore took its
// session from the conversation id alone, and the explicit session may still arrive on a span of the
// trace in a later batch: the identity hold waits for it and then puts it in session_id.
func (id identity) conversationID() string {
	if id.session == id.conversation {
		return ""
	}
	return id.conversation
}

// resourceInfo is what the mapping reads from a resource, once per resource.
type resourceInfo struct {
	service *auditrecord.Service
	id      identity
}

func (m *Mapper) readResource(res pcommon.Resource, p *problems) *resourceInfo {
	a := m.newAttrView(res.Attributes(), p)
	ri := &resourceInfo{}
	svc := auditrecord.Service{
		Name:     a.firstStr("service.name"),
		Instance: a.firstStr("service.instance.id"),
		Version:  a.firstStr("service.version"),
	}
	if svc != (auditrecord.Service{}) {
		ri.service = &svc
	}
	ri.id = lookupIdentity(a)
	return ri
}

// sessionIdentities joins units without trace context (application logs) by their session: a
// user named on one event of the session (usually its input) reaches the session's other events.
type sessionIdentities map[string]identity

func (s sessionIdentities) learn(u *unit) {
	if u.traceID != "" || u.id.session == "" {
		return
	}
	id := s[u.id.session]
	id.fill(u.id)
	s[u.id.session] = id
}

func (s sessionIdentities) fill(u *unit) {
	if u.traceID == "" && u.id.session != "" {
		u.id.fill(s[u.id.session])
	}
}
