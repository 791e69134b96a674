// Package agentsim emits realistic AI-agent sessions as OTLP traces and logs through the OpenTelemetry
// Go SDK, following the GenAI semantic conventions (1.37+). Plan returns exactly what Run emits for a
// seed, so end-to-end tests can assert the audit records produced from it.
package agentsim

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Config selects where and what to emit. Plan depends only on Sessions, Users and Seed.
type Config struct {
	Endpoint string            // host:port, or a URL (http://host:port)
	Protocol string            // "grpc" or "http"
	Sessions int               // sessions to emit
	Users    int               // distinct users the sessions are spread over
	Seed     int64             // same seed, same sessions
	Rate     float64           // sessions per second; 0 means as fast as possible
	Insecure bool              // plaintext instead of TLS
	Headers  map[string]string // sent with every export request
	Progress io.Writer         // receives a progress line every second; nil means none
	// Logs also emits each turn's plan as an agent.reasoning log record. User messages travel only on
	// the chat spans: an agent that sent them as gen_ai.user.message events too would record each twice.
	Logs bool
}

// Session is one conversation of a user with an agent: the root invoke_agent span and everything
// under it.
type Session struct {
	ID       string
	UserID   string
	Agent    Agent
	Duration time.Duration // of the root span
	Turns    []Turn
	PII      PII      // every sensitive value planted in this session
	Benign   []string // look-alikes that must survive redaction: order, flight and tracking numbers, dates
}

// Agent is the emitting service; one OTel resource per agent.
type Agent struct {
	Name          string
	ID            string
	Version       string
	Provider      string // gen_ai.provider.name
	Model         string // requested model
	ResponseModel string // model version the provider reports
	SystemPrompt  string
	InstanceID    string // service.instance.id
}

// Turn is one user message and the agent's work on it. Chats holds one chat span when the model
// answers directly, or two when it first requests tools (Chats[0]) and then answers (Chats[1]);
// ToolCalls run between them, in order, failed attempts followed by their retries.
type Turn struct {
	UserMessage string
	Reasoning   Reasoning
	Chats       []Chat
	ToolCalls   []ToolCall
	Answer      string
}

// Reasoning is the agent's planning step, emitted as an agent.reasoning log record.
type Reasoning struct {
	Thought    string
	Plan       []string
	Confidence float64
	At         time.Duration // offset of the log record
}

// Chat is one model call (a "chat <model>" span).
type Chat struct {
	Model         string
	ResponseModel string
	ResponseID    string
	InputTokens   int
	OutputTokens  int
	FinishReason  string // "tool_call" or "stop"
	Instructions  []Part // gen_ai.system_instructions
	Input         []Message
	Output        []Message
	Start         time.Duration // offset from the session start
	Duration      time.Duration
}

// ToolCall is one execution of a tool (an "execute_tool <name>" span). A timed-out call has Error set
// and no Result; its retry follows with a new CallID and RetryAttempt 1.
type ToolCall struct {
	Name         string
	CallID       string
	Arguments    map[string]any
	Result       map[string]any
	Error        string // span status description, also exception.message
	ErrorType    string // error.type and exception.type
	Stacktrace   string // exception.stacktrace
	RetryAttempt int
	Start        time.Duration
	Duration     time.Duration
}

// Message and Part are the GenAI semconv input/output message shapes, marshalled to JSON as-is.
type Message struct {
	Role         string `json:"role"`
	Parts        []Part `json:"parts"`
	FinishReason string `json:"finish_reason,omitempty"`
}

type Part struct {
	Type      string         `json:"type"`
	Content   string         `json:"content,omitempty"`
	ID        string         `json:"id,omitempty"`
	Name      string         `json:"name,omitempty"`
	Arguments map[string]any `json:"arguments,omitempty"`
	Response  map[string]any `json:"response,omitempty"`
}

// SpanCount is the number of spans Run emits for the session.
func (s Session) SpanCount() int {
	n := 1
	for _, t := range s.Turns {
		n += len(t.Chats) + len(t.ToolCalls)
	}
	return n
}

// LogCount is the number of log records Run emits for the session when logs are on.
func (s Session) LogCount() int { return len(s.Turns) }

const (
	toolTimeout     = 5 * time.Second
	toolFailureRate = 0.15
)

// Plan returns the sessions Run emits for cfg, deterministically from cfg.Seed. Session i depends
// only on the seed, i and the user count, so a longer run extends a shorter one.
func Plan(cfg Config) []Session {
	planner := newPlanner(cfg)
	sessions := make([]Session, 0, max(cfg.Sessions, 0))
	for i := range cfg.Sessions {
		sessions = append(sessions, planner.session(i))
	}
	return sessions
}

// planner plans sessions one at a time, so Run holds one session in memory rather than the run.
type planner struct {
	seed   int64
	users  []user
	agents []agentProfile
}

func newPlanner(cfg Config) *planner {
	return &planner{seed: cfg.Seed, users: makeUsers(cfg.Seed, max(cfg.Users, 1)), agents: makeAgents(cfg.Seed)}
}

func (p *planner) session(i int) Session {
	rng := rand.New(rand.NewPCG(uint64(p.seed), uint64(i)))
	b := &sessionBuilder{rng: rng, user: p.users[rng.IntN(len(p.users))]}
	profile := p.agents[rng.IntN(len(p.agents))]
	b.agent = profile.Agent
	b.s = Session{
		ID:     "sess_" + randomString(rng, "0123456789abcdef", 20),
		UserID: b.user.id,
		Agent:  profile.Agent,
	}
	profile.script(b, 1+rng.IntN(3))
	b.s.Duration = b.clock + 25*time.Millisecond
	return b.s
}

type user struct {
	id, first, last, email, card string
	phone                        phoneNumber
}

func makeUsers(seed int64, n int) []user {
	firsts := []string{"Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Gustav", "Hana", "Ivan", "Julia"}
	lasts := []string{"Martin", "Okafor", "Silva", "Novak", "Tanaka", "Schmidt", "Haddad", "Larsen", "Kim", "Rossi"}
	domains := []string{"example.com", "example.org", "mail.example.net"}
	rng := rand.New(rand.NewPCG(uint64(seed), math.MaxUint64))
	users := make([]user, n)
	for i := range users {
		u := user{id: fmt.Sprintf("user-%04d", i+1), first: firsts[rng.IntN(len(firsts))], last: lasts[rng.IntN(len(lasts))]}
		u.email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(u.first), strings.ToLower(u.last), rng.IntN(100), domains[rng.IntN(len(domains))])
		u.phone = randomPhoneNumber(rng)
		u.card = randomCard(rng)
		users[i] = u
	}
	return users
}

type agentProfile struct {
	Agent
	script func(b *sessionBuilder, turns int)
}

func makeAgents(seed int64) []agentProfile {
	rng := rand.New(rand.NewPCG(uint64(seed), math.MaxUint64-1))
	instance := func() string {
		h := randomString(rng, "0123456789abcdef", 32)
		return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
	}
	return []agentProfile{
		{Agent: Agent{
			Name: "travel-assistant", ID: "asst_" + randomString(rng, alphanumerics, 24), Version: "1.4.2",
			Provider: "openai", Model: "gpt-4o", ResponseModel: "gpt-4o-2024-08-06", InstanceID: instance(),
			SystemPrompt: "You are a travel assistant. Find and book flights with the tools provided. Never repeat payment card numbers back to the user.",
		}, script: travelScript},
		{Agent: Agent{
			Name: "support-agent", ID: "asst_" + randomString(rng, alphanumerics, 24), Version: "2.0.1",
			Provider: "anthropic", Model: "claude-sonnet-4-5", ResponseModel: "claude-sonnet-4-5-20250929", InstanceID: instance(),
			SystemPrompt: "You are a customer support agent for an online shop. Look customers up before answering questions about orders.",
		}, script: supportScript},
	}
}
