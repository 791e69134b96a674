// Package auditrecord defines the audit record: the one versioned document every store writes and
// every reader (auditctl, verify, tests) understands. docs/audit-record.md describes each field and
// schema/audit-record.schema.json is its machine-checkable form.
package auditrecord

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// SchemaVersion is written into every record; bump it on any incompatible change.
const SchemaVersion = "1.0"

// Type says what an audit record describes.
type Type string

const (
	TypeInput     Type = "input"     // what reached the agent: a user message, a system prompt, a retrieved document
	TypeReasoning Type = "reasoning" // what the agent thought or planned
	TypeToolCall  Type = "tool_call" // a tool the agent called (or asked for), with parameters and result
	TypeOutput    Type = "output"    // what a model produced, with model, tokens and cost
	TypeError     Type = "error"     // a failure, linked to the record it belongs to
	TypeAgentRun  Type = "agent_run" // envelope: one agent invocation (an invoke_agent span)
	TypeLLMCall   Type = "llm_call"  // envelope: one model call (a chat span)
	TypeAccess    Type = "access"    // someone read the audit trail (auditctl)
	TypeErasure   Type = "erasure"   // an erasure request was carried out (auditctl forget)
	TypeTombstone Type = "tombstone" // what remains of an erased record
	// TypeIdentity says which session and user a trace belongs to, when that came on a span that
	// made no record of its own (an application's request span); readers join the trace's records to it.
	TypeIdentity Type = "identity"
)

// Types lists every record type, in documentation order.
var Types = []Type{TypeInput, TypeReasoning, TypeToolCall, TypeOutput, TypeError, TypeAgentRun, TypeLLMCall, TypeAccess, TypeErasure, TypeTombstone, TypeIdentity}

// Record is one audit record. Exactly one of the typed sections (Input, Reasoning, …) is set, the one
// named by Type; envelopes and tombstones may carry none.
//
// The fields of Record and of every struct below are declared in the byte order of their JSON names:
// encoding/json then writes them, and map keys, already in canonical order, so MarshalRecord needs
// no second pass (TestStructFieldsAreInCanonicalOrder guards this).
type Record struct {
	Access   *Access   `json:"access,omitempty"`
	Agent    *Agent    `json:"agent,omitempty"`
	AgentRun *AgentRun `json:"agent_run,omitempty"`
	// Attributes keeps every attribute the mapping did not consume, as received (after redaction).
	// Records mapped from one span share the map: treat it as read-only.
	Attributes map[string]any `json:"attributes,omitempty"`
	// ConversationID is a framework's own conversation id (gen_ai.conversation.id), kept beside the
	// session_id that an explicit application session wins (docs/audit-record.md, precedence).
	ConversationID string   `json:"conversation_id,omitempty"`
	Erasure        *Erasure `json:"erasure,omitempty"`
	Error          *Error   `json:"error,omitempty"`
	Input          *Input   `json:"input,omitempty"`
	// Integrity is set by the store that chains records; it is not part of the hashed content.
	Integrity         *Integrity `json:"integrity,omitempty"`
	LLMCall           *LLMCall   `json:"llm_call,omitempty"`
	ObservedTimestamp time.Time  `json:"observed_timestamp"`
	Output            *Output    `json:"output,omitempty"`
	ParentSpanID      string     `json:"parent_span_id,omitempty"`
	Reasoning         *Reasoning `json:"reasoning,omitempty"`
	RecordID          string     `json:"record_id"`
	SchemaVersion     string     `json:"schema_version"`
	Service           *Service   `json:"service,omitempty"`
	SessionID         string     `json:"session_id,omitempty"`
	// Source says which telemetry the record came from, so an auditor can trace it back.
	Source    *Source    `json:"source,omitempty"`
	SpanID    string     `json:"span_id,omitempty"`
	Timestamp time.Time  `json:"timestamp"`
	Tombstone *Tombstone `json:"tombstone,omitempty"`
	ToolCall  *ToolCall  `json:"tool_call,omitempty"`
	TraceID   string     `json:"trace_id,omitempty"`
	Type      Type       `json:"type"`
	UserID    string     `json:"user_id,omitempty"`
}

// Agent identifies the agent that acted.
type Agent struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// Service identifies the process that emitted the telemetry.
type Service struct {
	Instance string `json:"instance,omitempty"`
	Name     string `json:"name,omitempty"`
	Version  string `json:"version,omitempty"`
}

// Source names the telemetry a record was mapped from.
type Source struct {
	Convention string `json:"convention,omitempty"` // gen_ai | openinference | traceloop | vercel_ai | langfuse | langsmith | genkit | agentaudit
	Name       string `json:"name,omitempty"`       // span name or log event name
	Scope      string `json:"scope,omitempty"`      // instrumentation scope name
	Signal     string `json:"signal"`               // traces | logs
}

// Input is something that reached the agent.
type Input struct {
	Content  string         `json:"content"`
	Metadata map[string]any `json:"metadata,omitempty"`
	Role     string         `json:"role,omitempty"`   // user | system | tool | …
	Source   string         `json:"source,omitempty"` // where it came from: user_message, system_instructions, tool_result, retrieval
}

// Reasoning is a thought or plan the agent reported.
type Reasoning struct {
	Confidence *float64 `json:"confidence,omitempty"`
	Plan       []string `json:"plan,omitempty"`
	Thought    string   `json:"thought,omitempty"`
}

// Tool call statuses.
const (
	ToolStatusSuccess   = "success"
	ToolStatusError     = "error"
	ToolStatusRequested = "requested" // the model asked for the tool; no execution was reported
)

// ToolCall is a tool the agent used.
type ToolCall struct {
	CallID     string   `json:"call_id,omitempty"`
	DurationMS *float64 `json:"duration_ms,omitempty"`
	Parameters any      `json:"parameters,omitempty"`
	Result     any      `json:"result,omitempty"`
	Status     string   `json:"status"`
	ToolName   string   `json:"tool_name"`
}

// Tokens counts model tokens.
type Tokens struct {
	Input  *int64 `json:"input,omitempty"`
	Output *int64 `json:"output,omitempty"`
	Total  *int64 `json:"total,omitempty"`
}

// Output is what a model produced.
type Output struct {
	Content      string   `json:"content"`
	Cost         *float64 `json:"cost,omitempty"`        // USD
	CostSource   string   `json:"cost_source,omitempty"` // telemetry | price_table
	FinishReason string   `json:"finish_reason,omitempty"`
	Model        string   `json:"model,omitempty"`
	Provider     string   `json:"provider,omitempty"`
	Tokens       *Tokens  `json:"tokens,omitempty"`
}

// Error is a failure.
type Error struct {
	Message string `json:"message,omitempty"`
	// PropagatedTo lists the span ids the failure travelled up to (an agent span, a model call
	// ended by the same exception): their failure is this one and has no record of its own.
	PropagatedTo   []string `json:"propagated_to,omitempty"`
	RecoveryAction string   `json:"recovery_action,omitempty"`
	// RelatedRecordID links the error to the tool_call or output record it belongs to.
	RelatedRecordID string `json:"related_record_id,omitempty"`
	StackTrace      string `json:"stack_trace,omitempty"`
	ToolName        string `json:"tool_name,omitempty"`
	Type            string `json:"type"`
}

// AgentRun is the envelope of one agent invocation.
type AgentRun struct {
	DurationMS *float64 `json:"duration_ms,omitempty"`
	Operation  string   `json:"operation,omitempty"`
	Status     string   `json:"status"` // ok | error | unset
}

// LLMCall is the envelope of one model call.
type LLMCall struct {
	Cost       *float64 `json:"cost,omitempty"`
	CostSource string   `json:"cost_source,omitempty"`
	DurationMS *float64 `json:"duration_ms,omitempty"`
	Model      string   `json:"model,omitempty"`
	Operation  string   `json:"operation,omitempty"`
	Provider   string   `json:"provider,omitempty"`
	Status     string   `json:"status"`
	Tokens     *Tokens  `json:"tokens,omitempty"`
}

// Access records that someone read the audit trail.
type Access struct {
	Command string `json:"command"`
	Records int    `json:"records"`
	// Role is the viewer's role: a console account's (viewer, auditor, admin), "operator" for auditctl
	// (whoever holds the store's credentials).
	Role   string `json:"role,omitempty"`
	Target string `json:"target,omitempty"` // what was read: a session id, a user id, a time range
	Viewer string `json:"viewer"`
}

// Erasure records an erasure request that was carried out.
type Erasure struct {
	Objects   []string `json:"objects,omitempty"`
	Records   int      `json:"records"`
	Requester string   `json:"requester"`
	Subject   string   `json:"subject"` // which user's records (as stored, possibly a pseudonym)
	// Traces are the subject's traces whose records without a user id were erased with theirs; a
	// later erasure of the subject erases records of these traces that arrived since.
	Traces []string `json:"traces,omitempty"`
}

// Tombstone is what remains of an erased record: its id, type and chain position, no content.
type Tombstone struct {
	ErasedAt     time.Time `json:"erased_at"`
	ErasureID    string    `json:"erasure_id,omitempty"`
	OriginalType Type      `json:"original_type"`
}

// Integrity places a record in its writer's hash chain.
type Integrity struct {
	Hash     string `json:"hash"`
	PrevHash string `json:"prev_hash"`
	Seq      uint64 `json:"seq"`
	Stream   string `json:"stream"`
}

// NewRecordID derives a record id from the identity of its source, e.g. (trace id, span id, type, index),
// so that a retried export yields the same id and idempotent stores can drop the duplicate. The id
// is the first 16 bytes of SHA-256 over each part followed by a NUL byte, in hex.
func NewRecordID(parts ...string) string {
	// The mapping derives an id for every record it emits: hashing one buffer that usually fits on
	// the stack costs one allocation (the id) instead of five (digest, part copies, sum, hex).
	var stack [256]byte
	buf := stack[:0]
	for _, p := range parts {
		buf = append(buf, p...)
		buf = append(buf, 0)
	}
	sum := sha256.Sum256(buf)
	var id [32]byte
	hex.Encode(id[:], sum[:16])
	return string(id[:])
}
