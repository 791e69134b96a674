package mapping

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

func TestSessionAndUserPrecedence(t *testing.T) {
	cases := []struct {
		name                  string
		span, resource        map[string]any
		wantSession, wantUser string
		consumed, kept        []string
	}{
		{
			name:        "langfuse wins over everything",
			span:        map[string]any{"langfuse.session.id": "lf", "session.id": "s", "gen_ai.conversation.id": "c", "langfuse.user.id": "lu", "user.id": "u", "enduser.id": "e"},
			wantSession: "lf", wantUser: "lu", consumed: []string{"langfuse.session.id", "langfuse.user.id"}, kept: []string{"session.id", "gen_ai.conversation.id", "user.id", "enduser.id"},
		},
		{
			name:        "session.id before conversation id, user.id before enduser",
			span:        map[string]any{"session.id": "s", "gen_ai.conversation.id": "c", "user.id": "u", "enduser.id": "e"},
			wantSession: "s", wantUser: "u", kept: []string{"gen_ai.conversation.id", "enduser.id"},
		},
		{
			name: "conversation id, enduser.id", span: map[string]any{"gen_ai.conversation.id": "c", "enduser.id": "e", "enduser.pseudo.id": "p"},
			wantSession: "c", wantUser: "e",
		},
		{
			name: "pseudo id, Vercel metadata", span: map[string]any{"ai.telemetry.metadata.sessionId": "vs", "enduser.pseudo.id": "p", "ai.telemetry.metadata.userId": "vu"},
			wantSession: "vs", wantUser: "p",
		},
		{
			name: "Vercel metadata", span: map[string]any{"ai.telemetry.metadata.sessionId": "vs", "ai.telemetry.metadata.userId": "vu", "traceloop.association.properties.user_id": "tu"},
			wantSession: "vs", wantUser: "vu",
		},
		{
			name:        "Vercel AI 7 runtime context after v6 metadata, before Traceloop",
			span:        map[string]any{"ai.settings.context.sessionId": "cs", "ai.settings.context.userId": "cu", "traceloop.association.properties.session_id": "ts", "traceloop.association.properties.user_id": "tu"},
			wantSession: "cs", wantUser: "cu", consumed: []string{"ai.settings.context.sessionId", "ai.settings.context.userId"},
			kept: []string{"traceloop.association.properties.session_id", "traceloop.association.properties.user_id"},
		},
		{
			name:        "Vercel AI 6 metadata before 7 runtime context",
			span:        map[string]any{"ai.telemetry.metadata.sessionId": "vs", "ai.settings.context.sessionId": "cs", "ai.telemetry.metadata.userId": "vu", "ai.settings.context.userId": "cu"},
			wantSession: "vs", wantUser: "vu", kept: []string{"ai.settings.context.sessionId", "ai.settings.context.userId"},
		},
		{
			name:        "Traceloop association properties, both spellings",
			span:        map[string]any{"traceloop.association.properties.sessionId": "ts", "traceloop.association.properties.userId": "tu"},
			wantSession: "ts", wantUser: "tu",
		},
		{
			name: "OpenInference metadata JSON is the last resort and stays in attributes",
			span: map[string]any{"metadata": `{"sessionId":"ms","user_id":"mu"}`}, wantSession: "ms", wantUser: "mu", kept: []string{"metadata"},
		},
		{
			name: "span before resource", span: map[string]any{"enduser.id": "span-user"}, resource: map[string]any{"session.id": "res-sess", "user.id": "res-user"},
			wantSession: "res-sess", wantUser: "span-user",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			td := buildTraces(t, resourceSpec{attrs: tc.resource, spans: []spanSpec{chatSpan(tc.span)}})
			recs, _ := mapTraces(t, New(Options{}), td)
			r := recs[0]
			if r.SessionID != tc.wantSession || r.UserID != tc.wantUser {
				t.Errorf("session %q user %q, want %q %q", r.SessionID, r.UserID, tc.wantSession, tc.wantUser)
			}
			for _, k := range tc.consumed {
				if _, ok := r.Attributes[k]; ok {
					t.Errorf("%s should be consumed", k)
				}
			}
			for _, k := range tc.kept {
				if _, ok := r.Attributes[k]; !ok {
					t.Errorf("%s should stay in attributes: %v", k, r.Attributes)
				}
			}
		})
	}
}

// Spans without identity inherit it from other spans of the same trace in the batch, never from
// another trace.
func TestIdentityIsInheritedWithinTheTraceOnly(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "invoke_agent", id: 1, start: 0, end: 100, attrs: map[string]any{"gen_ai.operation.name": "invoke_agent", "session.id": "s1", "user.id": "u1"}},
		{name: "execute_tool", id: 2, parent: 1, start: 10, end: 20, attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"}},
		{name: "execute_tool", trace: 2, id: 3, start: 10, end: 20, attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	for _, r := range ofType(recs, auditrecord.TypeToolCall) {
		want := "s1"
		if r.TraceID == hexTrace(2) {
			want = ""
		}
		if r.SessionID != want || (want != "" && r.UserID != "u1") {
			t.Errorf("trace %s: session %q user %q", r.TraceID, r.SessionID, r.UserID)
		}
	}
}
