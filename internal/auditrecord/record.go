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
)

// Types lists every record type, in documentation order.
var Types = []Type{TypeInput, TypeReasoning, TypeToolCall, TypeOutput, TypeError, TypeAgentRun, TypeLLMCall, TypeAccess, TypeErasure, TypeTombstone}

// Record is one audit record. Exactly one of the typed sections (Input, Reasoning, …) is set, the one
// named by Type; envelopes and tombstones may carry none.
type Record struct {
	SchemaVersion     string    `json:"schema_version"`
	RecordID          string    `json:"record_id"`
	Type              Type      `json:"type"`
	Timestamp         time.Time `json:"timestamp"`
	ObservedTimestamp time.Time `json:"observed_timestamp"`
	SessionID         string    `json:"session_id,omitempty"`
	UserID            string    `json:"user_id,omitempty"`
	Agent             *Agent    `json:"agent,omitempty"`
	Service           *Service  `json:"service,omitempty"`
	TraceID           string    `json:"trace_id,omitempty"`
	SpanID            string    `json:"span_id,omitempty"`
	ParentSpanID      string    `json:"parent_span_id,omitempty"`
	// Source says which telemetry the record came from, so an auditor can trace it back.
	Source *Source `json:"source,omitempty"`

	Input     *Input     `json:"input,omitempty"`
	Reasoning *Reasoning `json:"reasoning,omitempty"`
	ToolCall  *ToolCall  `json:"tool_call,omitempty"`
	Output    *Output    `json:"output,omitempty"`
	Error     *Error     `json:"error,omitempty"`
	AgentRun  *AgentRun  `json:"agent_run,omitempty"`
	LLMCall   *LLMCall   `json:"llm_call,omitempty"`
	Access    *Access    `json:"access,omitempty"`
	Erasure   *Erasure   `json:"erasure,omitempty"`
	Tombstone *Tombstone `json:"tombstone,omitempty"`

	// Attributes keeps every attribute the mapping did not consume, as received (after redaction).
	Attributes map[string]any `json:"attributes,omitempty"`
	// Integrity is set by the store that chains records; it is not part of the hashed content.
	Integrity *Integrity `json:"integrity,omitempty"`
}

// Agent identifies the agent that acted.
type Agent struct {
	Name    string `json:"name,omitempty"`
	ID      string `json:"id,omitempty"`
	Version string `json:"version,omitempty"`
}

// Service identifies the process that emitted the telemetry.
type Service struct {
	Name     string `json:"name,omitempty"`
	Instance string `json:"instance,omitempty"`
	Version  string `json:"version,omitempty"`
}

// Source names the telemetry a record was mapped from.
type Source struct {
	Signal     string `json:"signal"`               // traces | logs
	Convention string `json:"convention,omitempty"` // gen_ai | openinference | traceloop | vercel_ai | agentaudit
	Name       string `json:"name,omitempty"`       // span name or log event name
	Scope      string `json:"scope,omitempty"`      // instrumentation scope name
}

// Input is something that reached the agent.
type Input struct {
	Content  string         `json:"content"`
	Role     string         `json:"role,omitempty"`   // user | system | tool | …
	Source   string         `json:"source,omitempty"` // where it came from: user_message, system_instructions, tool_result, retrieval
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Reasoning is a thought or plan the agent reported.
type Reasoning struct {
	Thought    string   `json:"thought,omitempty"`
	Plan       []string `json:"plan,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
}

// Tool call statuses.
const (
	ToolStatusSuccess   = "success"
	ToolStatusError     = "error"
	ToolStatusRequested = "requested" // the model asked for the tool; no execution was reported
)

// ToolCall is a tool the agent used.
type ToolCall struct {
	ToolName   string   `json:"tool_name"`
	CallID     string   `json:"call_id,omitempty"`
	Parameters any      `json:"parameters,omitempty"`
	Result     any      `json:"result,omitempty"`
	Status     string   `json:"status"`
	DurationMS *float64 `json:"duration_ms,omitempty"`
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
	Model        string   `json:"model,omitempty"`
	Provider     string   `json:"provider,omitempty"`
	Tokens       *Tokens  `json:"tokens,omitempty"`
	Cost         *float64 `json:"cost,omitempty"`        // USD
	CostSource   string   `json:"cost_source,omitempty"` // telemetry | price_table
	FinishReason string   `json:"finish_reason,omitempty"`
}

// Error is a failure.
type Error struct {
	Type           string `json:"type"`
	Message        string `json:"message,omitempty"`
	StackTrace     string `json:"stack_trace,omitempty"`
	ToolName       string `json:"tool_name,omitempty"`
	RecoveryAction string `json:"recovery_action,omitempty"`
	// RelatedRecordID links the error to the tool_call or output record it belongs to.
	RelatedRecordID string `json:"related_record_id,omitempty"`
}

// AgentRun is the envelope of one agent invocation.
type AgentRun struct {
	Operation  string   `json:"operation,omitempty"`
	Status     string   `json:"status"` // ok | error | unset
	DurationMS *float64 `json:"duration_ms,omitempty"`
}

// LLMCall is the envelope of one model call.
type LLMCall struct {
	Operation  string   `json:"operation,omitempty"`
	Model      string   `json:"model,omitempty"`
	Provider   string   `json:"provider,omitempty"`
	Status     string   `json:"status"`
	DurationMS *float64 `json:"duration_ms,omitempty"`
	Tokens     *Tokens  `json:"tokens,omitempty"`
	Cost       *float64 `json:"cost,omitempty"`
	CostSource string   `json:"cost_source,omitempty"`
}

// Access records that someone read the audit trail.
type Access struct {
	Viewer  string `json:"viewer"`
	Command string `json:"command"`
	Target  string `json:"target,omitempty"` // what was read: a session id, a user id, a time range
	Records int    `json:"records"`
}

// Erasure records an erasure request that was carried out.
type Erasure struct {
	Requester string   `json:"requester"`
	Subject   string   `json:"subject"` // which user's records (as stored, possibly a pseudonym)
	Records   int      `json:"records"`
	Objects   []string `json:"objects,omitempty"`
}

// Tombstone is what remains of an erased record: its id, type and chain position, no content.
type Tombstone struct {
	ErasedAt     time.Time `json:"erased_at"`
	OriginalType Type      `json:"original_type"`
	ErasureID    string    `json:"erasure_id,omitempty"`
}

// Integrity places a record in its writer's hash chain.
type Integrity struct {
	Stream   string `json:"stream"`
	Seq      uint64 `json:"seq"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// NewRecordID derives a record id from the identity of its source, e.g. (trace id, span id, type, index),
// so that a retried export yields the same id and idempotent stores can drop the duplicate.
func NewRecordID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
