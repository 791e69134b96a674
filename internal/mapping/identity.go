package mapping

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// sessionKeys and userKeys are looked up in this order, first on the span or log, then on the
// resource; docs/audit-record.md has the same table.
var sessionKeys = []string{
	"langfuse.session.id",
	"session.id",
	"gen_ai.conversation.id",
	"ai.telemetry.metadata.sessionId",
	"ai.settings.context.sessionId",
	"traceloop.association.properties.session_id",
	"traceloop.association.properties.sessionId",
}

var userKeys = []string{
	"langfuse.user.id",
	"user.id",
	"enduser.id",
	"enduser.pseudo.id",
	"ai.telemetry.metadata.userId",
	"ai.settings.context.userId",
	"traceloop.association.properties.user_id",
	"traceloop.association.properties.userId",
}

// metadataKey is OpenInference's JSON metadata attribute; its sessionId/session_id (userId/user_id)
// is the last resort. It is not consumed: it usually carries more than the ids.
const metadataKey = "metadata"

// lookupIdentity returns the session and user ids an attribute set carries, consuming the keys that
// supplied them.
func lookupIdentity(a *attrView) (session, user string) {
	session = a.firstStr(sessionKeys...)
	user = a.firstStr(userKeys...)
	if session != "" && user != "" {
		return session, user
	}
	v, ok := a.attrs.Get(metadataKey)
	if !ok {
		return session, user
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
		return session, user
	}
	if session == "" {
		session = a.m.cleanString(getStr(meta, "sessionId", "session_id"), a.p)
	}
	if user == "" {
		user = a.m.cleanString(getStr(meta, "userId", "user_id"), a.p)
	}
	return session, user
}

// resourceInfo is what the mapping reads from a resource, once per resource.
type resourceInfo struct {
	service       *auditrecord.Service
	session, user string
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
	ri.session, ri.user = lookupIdentity(a)
	return ri
}
