package production

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// splitTrace is one agent run as an instrumented application exports it: the OTel SDK exports each
// span when it ends, so the model and tool calls arrive first, each in its own request, and the
// application's own request span, the only one with session.id and user.id, arrives last. The
// OpenAI instrumentation's gen_ai.choice events (the model's answers) come as logs, one before its
// span and one after the whole trace.
type splitTrace struct {
	traceID       string
	session, user string
	children      []ptrace.Traces // one span each, in end order
	root          ptrace.Traces   // POST /assist: session.id, user.id; makes no record of its own
	logBefore     plog.Logs       // gen_ai.choice of the first model call, before any span
	logAfter      plog.Logs       // gen_ai.choice of the last model call, after the root
	spanIDs       []string        // spans that make records (all but the root)
}

func newSplitTrace(tag string) *splitTrace {
	h := fnv.New64a()
	_, _ = h.Write([]byte(tag)) // a hash.Hash write never fails
	var tid [16]byte
	binary.BigEndian.PutUint64(tid[:8], h.Sum64())
	binary.BigEndian.PutUint64(tid[8:], 0x1d)
	st := &splitTrace{traceID: hex.EncodeToString(tid[:]), session: "sess-" + tag, user: "user-" + tag}
	start := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	at := func(ms int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(start.Add(time.Duration(ms) * time.Millisecond))
	}
	sid := func(i byte) pcommon.SpanID { return pcommon.SpanID{0xa, i} }
	one := func(name string, id, parent byte, from, to int, fn func(s ptrace.Span)) ptrace.Traces {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "travel-assistant")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("split-trace-test")
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(tid)
		s.SetSpanID(sid(id))
		if parent != 0 {
			s.SetParentSpanID(sid(parent))
			st.spanIDs = append(st.spanIDs, hex.EncodeToString([]byte{0xa, id, 0, 0, 0, 0, 0, 0}))
		}
		s.SetName(name)
		s.SetStartTimestamp(at(from))
		s.SetEndTimestamp(at(to))
		fn(s)
		return td
	}
	chat := func(id byte, from, to int, question string) ptrace.Traces {
		return one("chat gpt-4o", id, 2, from, to, func(s ptrace.Span) {
			s.SetKind(ptrace.SpanKindClient)
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "chat")
			a.PutStr("gen_ai.provider.name", "openai")
			a.PutStr("gen_ai.request.model", "gpt-4o")
			a.PutInt("gen_ai.usage.input_tokens", 120)
			a.PutInt("gen_ai.usage.output_tokens", 30)
			a.PutStr("gen_ai.input.messages", fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":%q}]}]`, question))
		})
	}
	tool := func(id byte, from, to int, name, callID string, failed bool) ptrace.Traces {
		return one("execute_tool "+name, id, 2, from, to, func(s ptrace.Span) {
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "execute_tool")
			a.PutStr("gen_ai.tool.name", name)
			a.PutStr("gen_ai.tool.call.id", callID)
			a.PutStr("gen_ai.tool.call.arguments", `{"destination":"Lisbon"}`)
			if failed {
				s.Status().SetCode(ptrace.StatusCodeError)
				s.Status().SetMessage("upstream timeout after 5000ms")
			}
		})
	}
	st.children = []ptrace.Traces{
		chat(3, 100, 900, "Find me a flight to Lisbon on Friday"),
		tool(4, 950, 1800, "search_flights", "call_1", false),
		tool(5, 1850, 7000, "book_flight", "call_2", true),
		chat(6, 7100, 8000, "Find me a flight to Lisbon on Friday"),
		one("invoke_agent travel", 2, 1, 50, 8100, func(s ptrace.Span) {
			s.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
			s.Attributes().PutStr("gen_ai.agent.name", "travel")
		}),
	}
	st.root = one("POST /assist", 1, 0, 0, 8200, func(s ptrace.Span) {
		s.SetKind(ptrace.SpanKindServer)
		s.Attributes().PutStr("http.request.method", "POST")
		s.Attributes().PutStr("session.id", st.session)
		s.Attributes().PutStr("user.id", st.user)
	})
	choice := func(span byte, ms int, content string) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "travel-assistant")
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("@opentelemetry/instrumentation-openai")
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTraceID(tid)
		lr.SetSpanID(sid(span))
		lr.SetTimestamp(at(ms))
		lr.SetEventName("gen_ai.choice")
		lr.Attributes().PutStr("gen_ai.system", "openai")
		body := lr.Body().SetEmptyMap()
		body.PutInt("index", 0)
		body.PutStr("finish_reason", "stop")
		body.PutEmptyMap("message").PutStr("content", content)
		return ld
	}
	st.logBefore = choice(3, 890, "Let me look for flights.")
	st.logAfter = choice(6, 7990, "The booking failed; please try again later.")
	return st
}

// sender posts OTLP/HTTP protobuf to a collector.
type sender struct {
	t    *testing.T
	base string
}

func (s sender) post(path string, body []byte) {
	s.t.Helper()
	resp, err := http.Post(s.base+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

func (s sender) traces(td ptrace.Traces) {
	s.t.Helper()
	if code := exportHTTP(s.t, http.DefaultClient, s.base, "", td); code != http.StatusOK {
		s.t.Fatalf("export traces: HTTP %d", code)
	}
}

func (s sender) logs(ld plog.Logs) {
	s.t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		s.t.Fatal(err)
	}
	s.post("/v1/logs", body)
}

// spanGap is longer than the shipped configs' batch timeouts, so every span is its own batch.
const spanGap = 1200 * time.Millisecond

// sendChildren sends the log that precedes its span, then each child span alone, spanGap apart.
func (st *splitTrace) sendChildren(s sender) {
	s.logs(st.logBefore)
	for _, td := range st.children {
		time.Sleep(spanGap)
		s.traces(td)
	}
}

// sendRoot sends the root span, then the log that follows the trace.
func (st *splitTrace) sendRoot(s sender) {
	s.traces(st.root)
	time.Sleep(spanGap)
	s.logs(st.logAfter)
}

// ofTrace are the records of the trace (identity records included).
func (st *splitTrace) ofTrace(recs []*auditrecord.Record) []*auditrecord.Record {
	var out []*auditrecord.Record
	for _, r := range recs {
		if r.TraceID == st.traceID {
			out = append(out, r)
		}
	}
	return out
}

// complete reports whether recs (of the trace) have a record of every span and both log events.
func (st *splitTrace) complete(recs []*auditrecord.Record) bool {
	spans := map[string]bool{}
	logs := map[string]bool{}
	for _, r := range recs {
		if r.Source != nil && r.Source.Signal == "logs" {
			logs[r.SpanID] = true
		} else {
			spans[r.SpanID] = true
		}
	}
	for _, id := range st.spanIDs {
		if !spans[id] {
			return false
		}
	}
	return logs[st.spanIDs[0]] && logs[st.spanIDs[3]]
}

// withIdentity counts the records that carry the trace's session and user.
func (st *splitTrace) withIdentity(recs []*auditrecord.Record) int {
	n := 0
	for _, r := range recs {
		if r.SessionID == st.session && r.UserID == st.user {
			n++
		}
	}
	return n
}

// holdWindow shortens identity.hold_window, for the tests where the root comes too late.
func holdWindow(t *testing.T, window string) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "hold.yaml", "exporters:\n  agentaudit:\n    identity:\n      hold_window: "+window+"\n")
}

// TestSplitTraceRecordsAllCarryTheRootsIdentity: the root (with session and user) arrives last,
// seconds after its children, each span in its own request, within the hold window.
func TestSplitTraceRecordsAllCarryTheRootsIdentity(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{})
	st := newSplitTrace("within-window")
	s := sender{t, "http://" + c.HTTPEndpoint}
	st.sendChildren(s)
	time.Sleep(2 * spanGap)
	if held := st.ofTrace(c.Records()); len(held) != 0 {
		t.Fatalf("%d records written before the trace's identity arrived", len(held))
	}
	st.sendRoot(s)
	c.WaitForRecords(60*time.Second, func(r []*auditrecord.Record) bool { return st.complete(st.ofTrace(r)) })
	time.Sleep(2 * time.Second) // let anything late land
	recs := st.ofTrace(c.Records())
	if !st.complete(recs) {
		t.Fatalf("records missing:\n%s", c.Logs())
	}
	with := st.withIdentity(recs)
	t.Logf("split trace, root last within the window: %d of %d records carry session and user", with, len(recs))
	if with != len(recs) {
		for _, r := range recs {
			if r.SessionID != st.session || r.UserID != st.user {
				t.Errorf("%s %s (%s) stored with session %q user %q", r.Type, r.SpanID, r.Source.Signal, r.SessionID, r.UserID)
			}
		}
	}
	// The agent is named on the invoke_agent span, which ends after the calls it made.
	for _, r := range recs {
		if r.Agent == nil || r.Agent.Name != "travel" {
			t.Errorf("%s %s (%s) stored with agent %+v, want travel", r.Type, r.SpanID, r.Source.Signal, r.Agent)
		}
	}
	page := c.Metrics()
	if metricSum(t, page, "otelcol_exporter_agentaudit_identity_records_released", `outcome="identified"`) == 0 {
		t.Errorf("no record counted as released with its identity:\n%s", grepLines(page, "identity"))
	}
}

// TestRootAfterTheWindowStillJoinsForReaders: the root comes after identity.hold_window, so the
// children are stored without identity; timeline, user, sessions and forget --user still cover them.
func TestRootAfterTheWindowStillJoinsForReaders(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{ExtraConfigs: []string{holdWindow(t, "2s")}})
	st := newSplitTrace("after-window")
	s := sender{t, "http://" + c.HTTPEndpoint}
	st.sendChildren(s)
	// The last child's window passes: nothing of the trace waits any more when the root comes.
	time.Sleep(2 * time.Second)
	if !waitFor(30*time.Second, func() bool {
		return metricSum(t, c.Metrics(), "otelcol_exporter_agentaudit_identity_traces_held", "") == 0 && len(st.ofTrace(c.Records())) >= len(st.spanIDs)
	}) {
		t.Fatalf("children not written after the window:\n%s", grepLines(c.Metrics(), "identity"))
	}
	st.sendRoot(s)
	recs := st.ofTrace(c.WaitForRecords(60*time.Second, func(r []*auditrecord.Record) bool {
		return st.complete(st.ofTrace(r)) && hasIdentityRecord(st.ofTrace(r))
	}))
	with := st.withIdentity(recs)
	if with == len(recs) {
		t.Fatalf("all %d records carry the identity: the window did not pass", len(recs))
	}
	t.Logf("root after the window: %d of %d stored records carry session and user; readers join the rest", with, len(recs))
	joinedReads(t, st, len(recs)-repeatedInputs(recs), nil, "--store", "file://"+filepath.ToSlash(c.DataDir))
}

// repeatedInputs counts the stored input records that repeat an earlier one of the trace (same
// role and text): both model calls of the split trace send the user's question, and spans mapped
// in separate batches each store it, while readers show one input (docs/audit-record.md, "One
// event, one record as readers see it").
func repeatedInputs(recs []*auditrecord.Record) int {
	seen, n := map[[2]string]bool{}, 0
	for _, r := range recs {
		if r.Type != auditrecord.TypeInput || r.Input == nil {
			continue
		}
		k := [2]string{r.Input.Role, r.Input.Content}
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}

func hasIdentityRecord(recs []*auditrecord.Record) bool {
	for _, r := range recs {
		if r.Type == auditrecord.TypeIdentity {
			return true
		}
	}
	return false
}

// auditctlBinary is bin/auditctl, built by `make build` with the collector.
func auditctlBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(collectortest.Binary(t)), "auditctl")
	_, err := os.Stat(bin)
	peers.Require(t, err == nil, "auditctl binary "+bin+" not built: run `make build`")
	return bin
}

// auditctl runs a command and returns its standard output and exit code.
func auditctl(t *testing.T, env map[string]string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(auditctlBinary(t), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("auditctl %v: %v", args, err)
	}
	if code > 1 {
		t.Fatalf("auditctl %v: exit %d\n%s", args, code, stderr.String())
	}
	return stdout.String(), code
}

// jsonRecords parses auditctl --json output.
func jsonRecords(t *testing.T, out string) []*auditrecord.Record {
	t.Helper()
	var recs []*auditrecord.Record
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r auditrecord.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("auditctl output line %q: %v", sc.Text(), err)
		}
		recs = append(recs, &r)
	}
	return recs
}

// joinedReads checks that timeline, user and sessions show all `want` records of the trace with its
// identity, and that forget --user erases every one of them.
func joinedReads(t *testing.T, st *splitTrace, want int, env map[string]string, storeArgs ...string) {
	t.Helper()
	run := func(args ...string) []*auditrecord.Record {
		out, code := auditctl(t, env, append(append(args, "--json", "--quiet"), storeArgs...)...)
		if code != 0 {
			t.Fatalf("auditctl %v: exit %d", args, code)
		}
		return st.ofTrace(jsonRecords(t, out))
	}
	for _, args := range [][]string{{"timeline", st.session}, {"user", st.user}} {
		recs := run(args...)
		if len(recs) != want || st.withIdentity(recs) != want {
			t.Errorf("auditctl %s: %d records of the trace, %d with its identity; want %d", args[0], len(recs), st.withIdentity(recs), want)
		}
	}
	out, _ := auditctl(t, env, append([]string{"sessions", "--json", "--quiet"}, storeArgs...)...)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var s struct {
			SessionID string `json:"session_id"`
			Records   int    `json:"records"`
			ToolCalls int    `json:"tool_calls"`
		}
		_ = json.Unmarshal([]byte(line), &s)
		if s.SessionID == st.session {
			found = true
			if s.ToolCalls != 2 || s.Records < want-1 {
				t.Errorf("auditctl sessions: %s has %d records, %d tool calls; want %d (identity record aside), 2", s.SessionID, s.Records, s.ToolCalls, want-1)
			}
		}
	}
	if !found {
		t.Errorf("auditctl sessions does not list %s:\n%s", st.session, out)
	}
	out, code := auditctl(t, env, append([]string{"forget", "--user", st.user, "--quiet", "--as", "dpo@example.com"}, storeArgs...)...)
	if code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	// forget erases what is stored, copies of one event included, so it may count more than readers show.
	erased := 0
	if m := regexp.MustCompile(` (\d+) records of user ` + regexp.QuoteMeta(st.user)).FindStringSubmatch(out); m != nil {
		erased, _ = strconv.Atoi(m[1])
	}
	if erased < want {
		t.Errorf("forget did not erase the trace's %d records:\n%s", want, out)
	}
	if _, code := auditctl(t, env, append([]string{"timeline", st.session, "--json", "--quiet"}, storeArgs...)...); code != 1 {
		t.Errorf("timeline after forget: exit %d, want 1 (nothing left)", code)
	}
}

// TestTraceSplitAcrossTwoInstancesJoins: the root reaches one collector, the children another (a
// load balancer in front of gateways); both write to one store.
func TestTraceSplitAcrossTwoInstancesJoins(t *testing.T) {
	for _, storeKind := range []string{"file", "s3", "elasticsearch"} {
		t.Run(storeKind, func(t *testing.T) {
			window := holdWindow(t, "2s")
			var opts [2]collectortest.Options
			var storeArgs []string
			var readerEnv map[string]string
			shared := t.TempDir()
			for i := range opts {
				env := map[string]string{"AGENTAUDIT_INSTANCE_ID": fmt.Sprintf("gw-%d", i), "AGENTAUDIT_IDENTITY_DIR": filepath.Join(t.TempDir(), "hold")}
				// Each instance keeps its own persistent queue (one queue log has one owner), also when
				// both write to one data directory.
				instance := fmt.Sprintf(`extensions:
  spool_storage/queue:
    directory: %[1]s
exporters:
  agentaudit:
    instance_id: ${env:AGENTAUDIT_INSTANCE_ID}
`, filepath.Join(t.TempDir(), "queue"))
				opts[i] = collectortest.Options{ExtraConfigs: []string{window, writeFile(t, t.TempDir(), "instance.yaml", instance)}, Env: env}
			}
			switch storeKind {
			case "file":
				for i := range opts {
					opts[i].DataDir = shared
				}
				storeArgs = []string{"--store", "file://" + filepath.ToSlash(shared)}
			case "s3":
				s3t := startS3(t)
				for i := range opts {
					opts[i].Config = configPath(t, "s3.yaml")
					for k, v := range s3t.env(s3t.srv.Endpoint) {
						opts[i].Env[k] = v
					}
				}
				readerEnv = s3t.env(s3t.srv.Endpoint)
				storeArgs = []string{"--store", "s3://" + s3t.bucket + "/audit", "--s3-endpoint", s3t.srv.Endpoint, "--s3-region", s3t.srv.Region, "--s3-path-style"}
			case "elasticsearch":
				url := searchengine.Shared(t)
				for i := range opts {
					opts[i].Config = configPath(t, "elasticsearch.yaml")
					opts[i].Env["AGENTAUDIT_ES_URL"] = url
					opts[i].Env["AGENTAUDIT_ES_FLAVOR"] = searchengine.Flavor()
					opts[i].Env["AGENTAUDIT_ES_DEAD_LETTER_DIR"] = t.TempDir()
				}
				storeArgs = []string{"--store", strings.TrimSuffix(url, "/") + "/agentaudit", "--es-flavor", searchengine.Flavor()}
			}
			rootGW, childGW := collectortest.Start(t, opts[0]), collectortest.Start(t, opts[1])
			st := newSplitTrace("two-instances-" + storeKind)
			st.sendChildren(sender{t, "http://" + childGW.HTTPEndpoint})
			st.sendRoot(sender{t, "http://" + rootGW.HTTPEndpoint})
			var recs []*auditrecord.Record
			if !waitFor(90*time.Second, func() bool {
				out, _ := auditctl(t, readerEnv, append([]string{"user", st.user, "--json", "--quiet"}, storeArgs...)...)
				recs = st.ofTrace(jsonRecords(t, out))
				return st.complete(recs) && hasIdentityRecord(recs)
			}) {
				t.Fatalf("trace not stored completely: %d records\nroot gateway:\n%s\nchild gateway:\n%s", len(recs), rootGW.Logs(), childGW.Logs())
			}
			time.Sleep(2 * time.Second)
			out, _ := auditctl(t, readerEnv, append([]string{"user", st.user, "--json", "--quiet"}, storeArgs...)...)
			recs = st.ofTrace(jsonRecords(t, out))
			ids := map[string]bool{}
			for _, r := range recs {
				if ids[r.RecordID] {
					t.Errorf("record %s (%s %s) stored twice", r.RecordID, r.Type, r.Source.Signal)
				}
				ids[r.RecordID] = true
			}
			t.Logf("%s: %d records of the split trace, the identity record from gw-0 among them", storeKind, len(recs))
			joinedReads(t, st, len(recs), readerEnv, storeArgs...)
		})
	}
}

// TestKill9WhileRecordsWaitForTheirIdentity: the collector is killed while a trace's records wait in
// the hold; after the restart the root arrives and every record is stored with its identity.
func TestKill9WhileRecordsWaitForTheirIdentity(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{})
	st := newSplitTrace("kill9")
	s := sender{t, "http://" + c.HTTPEndpoint}
	st.sendChildren(s)
	// Every child's records are journaled (fsynced) once the hold counts them; kill once the count
	// has not moved for longer than the batch and queue flush intervals.
	var held float64
	var since time.Time
	if !waitFor(30*time.Second, func() bool {
		page := c.Metrics()
		h := metricSum(t, page, "otelcol_exporter_agentaudit_identity_records_held", "")
		if h != held || metricSum(t, page, "otelcol_exporter_agentaudit_identity_traces_held", "") != 1 {
			held, since = h, time.Now()
		}
		return h > 0 && time.Since(since) > 3*time.Second
	}) {
		t.Fatalf("records never held:\n%s", grepLines(c.Metrics(), "identity"))
	}
	if n := len(st.ofTrace(c.Records())); n != 0 {
		t.Fatalf("%d records written before the kill", n)
	}
	c.Kill()
	c.Restart()
	st.sendRoot(sender{t, "http://" + c.HTTPEndpoint})
	c.WaitForRecords(60*time.Second, func(r []*auditrecord.Record) bool { return st.complete(st.ofTrace(r)) })
	time.Sleep(2 * time.Second)
	recs := st.ofTrace(c.Records())
	if !st.complete(recs) {
		t.Fatalf("records lost in the kill:\n%s", c.Logs())
	}
	children := 0
	for _, r := range recs {
		if r.Source.Signal == "traces" || r.SpanID == st.spanIDs[0] {
			children++
		}
	}
	t.Logf("after kill -9 and restart: %d records, %d with identity (%.0f held before the kill)", len(recs), st.withIdentity(recs), held)
	if st.withIdentity(recs) != len(recs) || float64(children) < held {
		t.Errorf("%d of %d records carry the identity; %d of %.0f held records stored", st.withIdentity(recs), len(recs), children, held)
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
