// Package clients runs real agent frameworks against the real built collector over OTLP/HTTP and
// checks the audit records they leave: Node (Vercel AI SDK 7 and 6, the OpenTelemetry OpenAI
// instrumentation; JSON and protobuf), Python (Langfuse SDK, LangSmith in OTel mode, Pydantic AI,
// the OpenAI Agents SDK with OpenInference,
// Semantic Kernel with its GenAI diagnostics, CrewAI, LlamaIndex and smolagents with OpenInference,
// Google ADK; protobuf) and Go (Firebase Genkit; protobuf). The Node
// side lives beside this file (package.json, *.mjs), the Python side in python/ (a virtualenv in
// .venv), Genkit in genkit/ (its own Go module); `make test-deps` installs them.
package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// protocols maps OTEL_EXPORTER_OTLP_PROTOCOL values to subtest names.
var protocols = []struct{ name, value string }{
	{name: "json", value: "http/json"},
	{name: "protobuf", value: "http/protobuf"},
}

// The scenario's values, as lib/scenario.mjs sends them.
const (
	systemPromptText = "You are a careful assistant. You may check the weather and manage files."
	userPromptMarker = "What is the weather in Paris? Then delete /tmp/report.txt."
	rawEmail         = "jane.doe@example.com"
	rawCard          = "4111 1111 1111 1111"
	redactedEmail    = "[REDACTED:EMAIL]"
	redactedCard     = "[REDACTED:CREDIT_CARD]"
	modelID          = "mock-gpt-4o"
	finalAnswer      = "It is sunny and 21 degrees in Paris. I could not delete /tmp/report.txt: permission denied."
	permissionDenied = "permission denied"
	finalInputTokens = 96
	finalOutTokens   = 21
	// What the fake server reports over the scenario's two model calls (scenarioUsage).
	scenarioInputTokens  = 52 + finalInputTokens
	scenarioOutputTokens = 24 + finalOutTokens
)

// expectedTool is a tool call the scenario makes.
type expectedTool struct {
	name, callID, status string
	params               map[string]any
	resultContains       string
}

var expectedTools = []expectedTool{
	{
		name: "getWeather", callID: "call_weather_1", status: auditrecord.ToolStatusSuccess,
		params: map[string]any{"city": "Paris"}, resultContains: "sunny",
	},
	{
		name: "deleteFile", callID: "call_delete_1", status: auditrecord.ToolStatusError,
		params: map[string]any{"path": "/tmp/report.txt"},
	},
}

// clientsDir is this package's directory.
func clientsDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(peers.RepoRoot(t), "test", "clients")
}

// requireRuntime skips (or, under AGENTAUDIT_REQUIRE_PEERS=1, fails) when the client's runtime is
// not installed, and returns the command that runs its script.
func requireRuntime(t *testing.T, dir string, cl client) []string {
	t.Helper()
	switch cl.runtime {
	case runtimePython:
		venv, reqs := ".venv", "requirements.txt"
		if cl.venv != "" {
			venv, reqs = ".venv-"+cl.venv, "requirements-"+cl.venv+".txt"
		}
		python := filepath.Join(dir, venv, "bin", "python")
		_, venvErr := os.Stat(python)
		peers.Require(t, venvErr == nil, "test/clients/"+venv+" missing: run make test-deps (needs python3 with the venv module, e.g. apt-get install python3-venv)")
		want, _ := os.ReadFile(filepath.Join(dir, "python", reqs))
		got, _ := os.ReadFile(filepath.Join(dir, venv, "requirements.installed"))
		peers.Require(t, len(want) > 0 && bytes.Equal(want, got), "test/clients/"+venv+" does not hold python/"+reqs+": run make test-deps")
		return []string{python, filepath.Join(dir, "python", cl.script)}
	case runtimeGo:
		return []string{buildGoClient(t, filepath.Join(dir, cl.script))}
	default:
		_, nodeErr := exec.LookPath("node")
		peers.Require(t, nodeErr == nil, "node not on PATH (Node 20+ is needed for the client end-to-end tests)")
		_, modErr := os.Stat(filepath.Join(dir, "node_modules", "ai", "package.json"))
		peers.Require(t, modErr == nil, "test/clients/node_modules missing: run npm ci in test/clients "+
			"(npm ci --prefix test/clients --no-audit --no-fund)")
		return []string{"node", cl.script}
	}
}

var goClients sync.Map // module dir → built binary, shared by the tests of one run

// buildGoClient builds a Go client module (its own go.mod, so the collector's module does not get
// its dependencies) once per test binary.
func buildGoClient(t *testing.T, moduleDir string) string {
	t.Helper()
	if bin, ok := goClients.Load(moduleDir); ok {
		return bin.(string)
	}
	out := filepath.Join(os.TempDir(), fmt.Sprintf("agentaudit-client-%s-%d", filepath.Base(moduleDir), os.Getpid()))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s (make test-deps downloads its modules): %v\n%s", moduleDir, err, msg)
	}
	goClients.Store(moduleDir, out)
	return out
}

// TestMain removes the Go clients' binaries, and fails the run when a test left a goroutine behind
// (the OTLP sinks and the fake OpenAI server must be shut down by each test).
func TestMain(m *testing.M) {
	code := m.Run()
	goClients.Range(func(_, bin any) bool {
		_ = os.Remove(bin.(string))
		return true
	})
	if err := goleak.Find(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "goleak:", err)
		code = 1
	}
	os.Exit(code)
}

// clientRun is one execution of a client script.
type clientRun struct {
	dir                           string
	command                       []string
	endpoint, protocol, openAIURL string
	session, user, instance       string
	noCallIDs, conversationIDs    bool
	toolPrefix                    string
}

// run executes the script and fails the test, with its output, if it exits non-zero.
func (r clientRun) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.command[0], r.command[1:]...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"OTEL_EXPORTER_OTLP_ENDPOINT="+r.endpoint,
		"OTEL_EXPORTER_OTLP_PROTOCOL="+r.protocol,
		"OTEL_RESOURCE_ATTRIBUTES=service.instance.id="+r.instance,
		"AGENT_SESSION_ID="+r.session,
		"AGENT_USER_ID="+r.user,
		"OPENAI_BASE_URL="+r.openAIURL,
		"PYTHONDONTWRITEBYTECODE=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s (%s) failed: %v\n%s", strings.Join(r.command, " "), r.protocol, err, out)
	}
}

// TestClientsEmitTelemetry runs each client against a local OTLP sink, without the collector, and
// checks that the framework still emits the spans and events the end-to-end expectations rest on:
// when it fails, the framework or the script changed, not the collector.
func TestClientsEmitTelemetry(t *testing.T) {
	dir := clientsDir(t)
	model := startFakeOpenAI(t)
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			command := requireRuntime(t, dir, cl)
			sink := emitToSink(t, clientRun{dir: dir, command: command, openAIURL: model, session: "session-sink", user: "user-sink", instance: "instance-sink"})
			spans, events := sink.names()
			want := cl.spans
			if cl.spanRepeatsVary { // names once each
				spans, want = slices.Compact(spans), slices.Compact(slices.Clone(want))
			}
			if !equalJSON(spans, want) || !equalJSON(nonNil(events), nonNil(cl.logEvents)) {
				t.Errorf("emitted spans %q and log events %q, want spans %q and log events %q\n%s",
					spans, events, cl.spans, cl.logEvents, sink.describe())
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestClientsEndToEnd runs each client over each protocol against one collector; each run has its
// own session, user and service.instance.id, by which its records are told apart.
func TestClientsEndToEnd(t *testing.T) {
	dir := clientsDir(t)
	col := collectortest.Start(t, collectortest.Options{})
	model := startFakeOpenAI(t)
	instances := map[string]bool{}
	for _, cl := range clients {
		for _, proto := range protocols {
			if cl.protobufOnly && proto.value != "http/protobuf" {
				continue
			}
			id := cl.name + "-" + proto.name
			instances["instance-"+id] = true
			t.Run(cl.name+"/"+proto.name, func(t *testing.T) {
				r := clientRun{
					dir: dir, command: requireRuntime(t, dir, cl), endpoint: "http://" + col.HTTPEndpoint, protocol: proto.value,
					openAIURL: model, session: "session-" + id, user: "user-" + id, instance: "instance-" + id,
					noCallIDs: cl.noCallIDs, conversationIDs: cl.conversationIDs, toolPrefix: cl.toolPrefix,
				}
				r.run(t)
				recs := waitForRun(t, col, r)
				t.Log(summary(cl.name+"/"+proto.name, recs))
				problems := checkScenario(recs, r)
				for _, p := range problems {
					t.Error(p)
				}
				if len(problems) == 0 { // every framework's trail keeps its shape: testdata/<client>-<protocol>.golden.jsonl
					checkGolden(t, id, recs)
				}
				if len(problems) > 0 {
					t.Logf("records of this run:\n%s", describeRecords(recs))
					t.Logf("what %s emitted (re-run against an OTLP/HTTP sink):\n%s", cl.script, captureEmitted(t, r))
				}
			})
		}
	}
	// Records that belong to no run were mapped without their resource: a mapping fault.
	for _, rec := range col.Records() {
		if rec.Service == nil || !instances[rec.Service.Instance] {
			t.Errorf("record %s (%s) belongs to no client run: service %+v", rec.RecordID, rec.Type, rec.Service)
		}
	}
	logs := col.Logs()
	for _, secret := range []string{rawEmail, rawCard} {
		if strings.Contains(logs, secret) {
			t.Errorf("the collector's own log contains %q", secret)
		}
	}
}

// waitForRun polls the store until the run's records satisfy the scenario, or until their number
// has not changed for a few seconds (the collector batches and flushes each second), and returns them.
func waitForRun(t *testing.T, col *collectortest.Collector, r clientRun) []*auditrecord.Record {
	t.Helper()
	const settle = 4 * time.Second
	deadline := time.Now().Add(60 * time.Second)
	lastCount, lastChange := -1, time.Now()
	for {
		recs := runRecords(collectortest.ReadRecords(t, collectortest.OpenFileStore(t, col.DataDir)), r.instance)
		if len(checkScenario(recs, r)) == 0 {
			return recs
		}
		if len(recs) != lastCount {
			lastCount, lastChange = len(recs), time.Now()
		}
		if time.Since(lastChange) > settle || time.Now().After(deadline) {
			return recs
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func runRecords(all []*auditrecord.Record, instance string) []*auditrecord.Record {
	var out []*auditrecord.Record
	for _, rec := range all {
		if rec.Service != nil && rec.Service.Instance == instance {
			out = append(out, rec)
		}
	}
	return out
}

// allowedTypes are the record types a scenario run may produce; anything else is typed wrongly.
var allowedTypes = map[auditrecord.Type]bool{
	auditrecord.TypeInput: true, auditrecord.TypeToolCall: true, auditrecord.TypeOutput: true,
	auditrecord.TypeError: true, auditrecord.TypeAgentRun: true, auditrecord.TypeLLMCall: true,
}

// checkScenario returns every way the run's records differ from what the scenario must leave.
func checkScenario(recs []*auditrecord.Record, r clientRun) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(recs) == 0 {
		return []string{"no records for this run"}
	}
	byType := map[auditrecord.Type][]*auditrecord.Record{}
	for _, rec := range recs {
		byType[rec.Type] = append(byType[rec.Type], rec)
		if !allowedTypes[rec.Type] {
			fail("record %s has type %q, which this scenario never produces (source %s)", rec.RecordID, rec.Type, sourceOf(rec))
		}
		if rec.SessionID != r.session {
			fail("%s record %s (source %s): session_id %q, want %q", rec.Type, rec.RecordID, sourceOf(rec), rec.SessionID, r.session)
		}
		if rec.UserID != r.user {
			fail("%s record %s (source %s): user_id %q, want %q", rec.Type, rec.RecordID, sourceOf(rec), rec.UserID, r.user)
		}
		if r.conversationIDs && (rec.ConversationID == "" || rec.ConversationID == rec.SessionID) {
			fail("%s record %s (source %s): conversation_id %q, want the framework's own id beside session %q", rec.Type, rec.RecordID, sourceOf(rec), rec.ConversationID, rec.SessionID)
		}
		if rec.Source == nil || rec.Source.Signal == "" {
			fail("%s record %s names no source signal", rec.Type, rec.RecordID)
		}
		raw, _ := json.Marshal(rec)
		for _, secret := range []string{rawEmail, rawCard} {
			if bytes.Contains(raw, []byte(secret)) {
				fail("%s record %s (source %s) stores %q unredacted", rec.Type, rec.RecordID, sourceOf(rec), secret)
			}
		}
	}
	problems = append(problems, checkInputs(byType[auditrecord.TypeInput])...)
	tools, toolProblems := checkToolCalls(byType[auditrecord.TypeToolCall], r.noCallIDs, r.toolPrefix)
	problems = append(problems, toolProblems...)
	problems = append(problems, checkErrors(byType[auditrecord.TypeError], tools, r.toolPrefix)...)
	problems = append(problems, checkOutputs(byType[auditrecord.TypeOutput])...)
	problems = append(problems, checkFidelity(recs, byType)...)
	return problems
}

// pyRepr is a framework object's repr where text belongs: Name(…) or <Enum.X: …> / <… object at 0x…>.
var pyRepr = regexp.MustCompile(`(?s)^\s*([A-Z][A-Za-z0-9_.]*\(.*\)|<[A-Za-z_.]+(: | object at 0x).*>)\s*$`)

// checkFidelity is the strict reading of one turn: the final answer is the only output (a model
// response that only asks for tools is none), no content is a framework repr, and the model calls'
// tokens add up to what the fake server reported.
func checkFidelity(recs []*auditrecord.Record, byType map[auditrecord.Type][]*auditrecord.Record) []string {
	var problems []string
	if n := len(byType[auditrecord.TypeOutput]); n != 1 {
		problems = append(problems, fmt.Sprintf("want one output record for the one turn, got %d: %s", n, describeRecords(byType[auditrecord.TypeOutput])))
	}
	for _, rec := range recs {
		var contents []string
		switch {
		case rec.Input != nil:
			contents = append(contents, rec.Input.Content)
		case rec.Output != nil:
			contents = append(contents, rec.Output.Content)
		case rec.Reasoning != nil:
			contents = append(contents, rec.Reasoning.Thought)
		}
		for _, c := range contents {
			if pyRepr.MatchString(c) {
				problems = append(problems, fmt.Sprintf("%s record %s (source %s) holds a framework repr: %q", rec.Type, rec.RecordID, sourceOf(rec), c))
			}
		}
	}
	in, out := usageOf(byType[auditrecord.TypeLLMCall])
	if in != scenarioInputTokens || out != scenarioOutputTokens {
		problems = append(problems, fmt.Sprintf("llm_call tokens add up to input %d output %d, want the fake server's %d/%d", in, out, scenarioInputTokens, scenarioOutputTokens))
	}
	return problems
}

// usageOf adds up the input and output tokens of llm_call records.
func usageOf(calls []*auditrecord.Record) (in, out int64) {
	for _, rec := range calls {
		if t := rec.LLMCall.Tokens; t != nil {
			if t.Input != nil {
				in += *t.Input
			}
			if t.Output != nil {
				out += *t.Output
			}
		}
	}
	return in, out
}

// summary is one line of the fidelity table: records, errors per failure, outputs per turn, tokens.
func summary(name string, recs []*auditrecord.Record) string {
	n := map[auditrecord.Type]int{}
	var calls []*auditrecord.Record
	for _, rec := range recs {
		n[rec.Type]++
		if rec.Type == auditrecord.TypeLLMCall {
			calls = append(calls, rec)
		}
	}
	in, out := usageOf(calls)
	return fmt.Sprintf("fidelity | %s | %d | %d | %d | %d |", name, len(recs), n[auditrecord.TypeError], n[auditrecord.TypeOutput], in+out)
}

func checkInputs(inputs []*auditrecord.Record) []string {
	var problems []string
	var user, system []*auditrecord.Record
	for _, rec := range inputs {
		switch {
		case strings.Contains(rec.Input.Content, userPromptMarker):
			user = append(user, rec)
		case strings.Contains(rec.Input.Content, systemPromptText):
			system = append(system, rec)
		}
	}
	if len(user) != 1 {
		problems = append(problems, fmt.Sprintf("want exactly one input record with the user prompt, got %d: %s", len(user), describeRecords(user)))
	}
	for _, rec := range user {
		if rec.Input.Role != "user" {
			problems = append(problems, fmt.Sprintf("user prompt input %s has role %q, want user", rec.RecordID, rec.Input.Role))
		}
		for _, want := range []string{redactedEmail, redactedCard} {
			if !strings.Contains(rec.Input.Content, want) {
				problems = append(problems, fmt.Sprintf("user prompt input %s lacks %s: %q", rec.RecordID, want, rec.Input.Content))
			}
		}
	}
	if len(system) != 1 {
		problems = append(problems, fmt.Sprintf("want exactly one input record with the system prompt, got %d: %s", len(system), describeRecords(system)))
	}
	for _, rec := range system {
		if rec.Input.Role != "system" {
			problems = append(problems, fmt.Sprintf("system prompt input %s has role %q, want system", rec.RecordID, rec.Input.Role))
		}
	}
	return problems
}

// checkToolCalls wants exactly one executed tool_call record (status success or error) per scenario
// tool, and returns them by tool name. A record of the model's request for the same call (status
// requested, same call id and parameters) may accompany it: it is true, if redundant; any other
// status on a second record would contradict the execution.
func checkToolCalls(calls []*auditrecord.Record, noCallIDs bool, prefix string) (map[string]*auditrecord.Record, []string) {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	executed := map[string][]*auditrecord.Record{}
	var requested []*auditrecord.Record
	for _, rec := range calls {
		if rec.ToolCall.Status == auditrecord.ToolStatusRequested {
			requested = append(requested, rec)
			continue
		}
		name, ok := strings.CutPrefix(rec.ToolCall.ToolName, prefix)
		if !ok {
			fail("tool_call %s: tool_name %q lacks the framework's prefix %q", rec.RecordID, rec.ToolCall.ToolName, prefix)
		}
		executed[name] = append(executed[name], rec)
	}
	found := map[string]*auditrecord.Record{}
	for _, want := range expectedTools {
		got := executed[want.name]
		delete(executed, want.name)
		if len(got) != 1 {
			fail("want exactly one executed tool_call record for %s, got %d: %s", want.name, len(got), describeRecords(got))
			continue
		}
		rec := got[0]
		tc := rec.ToolCall
		found[want.name] = rec
		if tc.Status != want.status {
			fail("tool_call %s: status %q, want %q", want.name, tc.Status, want.status)
		}
		if tc.CallID != want.callID && (!noCallIDs || tc.CallID != "") {
			fail("tool_call %s: call_id %q, want %q", want.name, tc.CallID, want.callID)
		}
		if params := decoded(tc.Parameters); !equalJSON(params, want.params) {
			fail("tool_call %s: parameters %#v, want %#v", want.name, tc.Parameters, want.params)
		}
		if tc.DurationMS == nil || *tc.DurationMS < 0 {
			fail("tool_call %s: duration_ms %v, want a duration", want.name, tc.DurationMS)
		}
		if want.resultContains != "" {
			res, _ := json.Marshal(decoded(tc.Result))
			if !strings.Contains(string(res), want.resultContains) {
				fail("tool_call %s: result %#v, want one containing %q", want.name, tc.Result, want.resultContains)
			}
		}
	}
	for name, recs := range executed {
		fail("unexpected tool_call records for %q: %s", name, describeRecords(recs))
	}
	for _, rec := range requested {
		if !isScenarioRequest(rec.ToolCall) {
			fail("requested tool_call record matches no scenario call: %s", describeRecords([]*auditrecord.Record{rec}))
		}
	}
	return found, problems
}

func isScenarioRequest(tc *auditrecord.ToolCall) bool {
	for _, want := range expectedTools {
		if tc.ToolName == want.name && tc.CallID == want.callID && equalJSON(decoded(tc.Parameters), want.params) {
			return true
		}
	}
	return false
}

// checkErrors wants exactly one error record: the failed deleteFile, linked to its tool_call record.
func checkErrors(errs []*auditrecord.Record, tools map[string]*auditrecord.Record, prefix string) []string {
	if len(errs) != 1 {
		return []string{fmt.Sprintf("want exactly one error record (the failed deleteFile), got %d: %s", len(errs), describeRecords(errs))}
	}
	var problems []string
	e := errs[0].Error
	if !strings.Contains(e.Message, permissionDenied) {
		problems = append(problems, fmt.Sprintf("error record message %q lacks %q", e.Message, permissionDenied))
	}
	if e.ToolName != prefix+"deleteFile" {
		problems = append(problems, fmt.Sprintf("error record tool_name %q, want %sdeleteFile", e.ToolName, prefix))
	}
	if call := tools["deleteFile"]; call != nil && e.RelatedRecordID != call.RecordID {
		problems = append(problems, fmt.Sprintf("error record related_record_id %q, want the deleteFile tool_call %q", e.RelatedRecordID, call.RecordID))
	}
	return problems
}

// checkOutputs wants the final answer exactly once, with the model and the tokens of the call that produced it.
func checkOutputs(outputs []*auditrecord.Record) []string {
	var final []*auditrecord.Record
	for _, rec := range outputs {
		if strings.Contains(rec.Output.Content, finalAnswer) {
			final = append(final, rec)
		}
	}
	if len(final) != 1 {
		return []string{fmt.Sprintf("want exactly one output record with the final answer, got %d: %s", len(final), describeRecords(outputs))}
	}
	var problems []string
	out := final[0].Output
	if out.Model != modelID {
		problems = append(problems, fmt.Sprintf("final output model %q, want %q", out.Model, modelID))
	}
	if out.Tokens == nil || out.Tokens.Input == nil || out.Tokens.Output == nil ||
		*out.Tokens.Input != finalInputTokens || *out.Tokens.Output != finalOutTokens {
		problems = append(problems, fmt.Sprintf("final output tokens %s, want input %d output %d", jsonString(out.Tokens), finalInputTokens, finalOutTokens))
	}
	return problems
}

// decoded turns a JSON-encoded string into its value, so that parameters stored as the framework's
// JSON text and as a parsed object compare alike.
func decoded(v any) any {
	if s, ok := v.(string); ok {
		var out any
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
	}
	return v
}

func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sourceOf(rec *auditrecord.Record) string {
	if rec.Source == nil {
		return "<none>"
	}
	return rec.Source.Convention + ":" + rec.Source.Signal + ":" + rec.Source.Name
}

// describeRecords prints records one a line, for failure messages.
func describeRecords(recs []*auditrecord.Record) string {
	var b strings.Builder
	for _, rec := range recs {
		fmt.Fprintf(&b, "\n  %s %s", sourceOf(rec), jsonString(rec))
	}
	return b.String()
}
