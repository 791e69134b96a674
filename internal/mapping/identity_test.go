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
		wantConversation      string
		consumed, kept        []string
	}{
		{
			name:        "langfuse wins over everything",
			span:        map[string]any{"langfuse.session.id": "lf", "session.id": "s", "gen_ai.conversation.id": "c", "langfuse.user.id": "lu", "user.id": "u", "enduser.id": "e"},
			wantSession: "lf", wantUser: "lu", wantConversation: "c",
			consumed: []string{"langfuse.session.id", "langfuse.user.id", "gen_ai.conversation.id"}, kept: []string{"session.id", "user.id", "enduser.id"},
		},
		{
			name:        "session.id before conversation id (kept as conversation_id), user.id before enduser",
			span:        map[string]any{"session.id": "s", "gen_ai.conversation.id": "c", "user.id": "u", "enduser.id": "e"},
			wantSession: "s", wantUser: "u", wantConversation: "c", consumed: []string{"gen_ai.conversation.id"}, kept: []string{"enduser.id"},
		},
		{
			name: "conversation id, enduser.id", span: map[string]any{"gen_ai.conversation.id": "c", "enduser.id": "e", "enduser.pseudo.id": "p"},
			wantSession: "c", wantUser: "e", wantConversation: "c",
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
			name: "an explicit session on the resource wins over the span's conversation id",
			span: map[string]any{"gen_ai.conversation.id": "c"}, resource: map[string]any{"session.id": "res-sess"},
			wantSession: "res-sess", wantConversation: "c",
		},
		{
			name: "LangSmith thread metadata", span: map[string]any{"langsmith.metadata.session_id": "ls", "langsmith.metadata.user_id": "lu", "langsmith.trace.session_id": "project-uuid"},
			wantSession: "ls", wantUser: "lu", kept: []string{"langsmith.trace.session_id"},
		},
		{
			name: "Genkit session", span: map[string]any{"genkit:sessionId": "gs"}, wantSession: "gs",
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
			if r.SessionID != tc.wantSession || r.UserID != tc.wantUser || r.ConversationID != tc.wantConversation {
				t.Errorf("session %q user %q conversation %q, want %q %q %q", r.SessionID, r.UserID, r.ConversationID, tc.wantSession, tc.wantUser, tc.wantConversation)
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

// Issue 12 item 3: a framework that generates a conversation id per run (Pydantic AI puts a fresh
// gen_ai.conversation.id on every span) must not hide the session the application named on its own
// enclosing span: the explicit session wins on every record of the trace, the conversation id is kept.
func TestExplicitSessionOfTheTraceWinsOverConversationID(t *testing.T) {
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "pydantic-app"}, scope: "pydantic-ai", spans: []spanSpec{
		{name: "handle request", id: 1, start: 0, end: 5000, attrs: map[string]any{"session.id": "app-session-7", "user.id": "user-7"}},
		{name: "invoke_agent weather", id: 2, parent: 1, start: 10, end: 4000, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather", "gen_ai.conversation.id": "0b7e-generated",
		}},
		{name: "chat gpt-4o", id: 3, parent: 2, start: 20, end: 1000, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.conversation.id": "0b7e-generated",
			"gen_ai.input.messages":     `[{"role":"user","parts":[{"type":"text","content":"Weather in Oslo?"}]}]`,
			"gen_ai.output.messages":    `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Oslo"}}]}]`,
			"gen_ai.usage.input_tokens": int64(10), "gen_ai.usage.output_tokens": int64(5),
		}},
		{name: "execute_tool get_weather", id: 4, parent: 2, start: 1100, end: 1200, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather", "gen_ai.tool.call.id": "c1",
			"gen_ai.tool.call.arguments": `{"city":"Oslo"}`, "gen_ai.tool.call.result": "rain", "gen_ai.conversation.id": "0b7e-generated",
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	if len(recs) < 4 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		if r.SessionID != "app-session-7" || r.UserID != "user-7" || r.ConversationID != "0b7e-generated" {
			t.Errorf("%s: session %q user %q conversation %q", r.Type, r.SessionID, r.UserID, r.ConversationID)
		}
		if _, kept := r.Attributes["gen_ai.conversation.id"]; kept {
			t.Errorf("%s: gen_ai.conversation.id left in attributes though it is the record's conversation_id", r.Type)
		}
	}
	assertGolden(t, "session_precedence", recs)

	// Without an explicit session anywhere in the trace, the conversation id is the session, and also
	// stays the conversation_id: session_id == conversation_id tells the identity hold (and a reader)
	// that the application's explicit session may still arrive in a later batch.
	td = buildTraces(t, resourceSpec{spans: []spanSpec{chatSpan(map[string]any{"gen_ai.conversation.id": "conv-only"})}})
	recs, _ = mapTraces(t, New(Options{}), td)
	if recs[0].SessionID != "conv-only" || recs[0].ConversationID != "conv-only" {
		t.Errorf("session %q conversation %q, want the conversation id as both", recs[0].SessionID, recs[0].ConversationID)
	}
}
