package console

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// The Sessions page shows the models each session used and narrows the list to the sessions that
// called a tool (with the other filters); a model name is agent-supplied and rendered as text.
func TestSessionsPageToolFilterAndModels(t *testing.T) {
	ctx := context.Background()
	h, accounts := fixtureConsole(t, "sessions-page-test", nil)
	hostile := *sessionfixture.Sessions()[sessionfixture.Beta][0]
	hostile.RecordID, hostile.SessionID, hostile.Integrity = "hostile-model-1", "s-hostile-model", nil
	hostile.Type, hostile.Output = auditrecord.TypeOutput, &auditrecord.Output{Content: "hi", Model: `<img src=x onerror=alert(1)>`}
	if err := h.Write(ctx, store.Batch{Signal: "traces", Records: []*auditrecord.Record{&hostile}}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(service.New(h, nil), nil, accounts, Options{TrustedHeader: "X-Forwarded-User"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Forwarded-User", "victor")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Result().Body)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, w.Code, b)
		}
		return string(b)
	}
	listed := regexp.MustCompile(`<a href="/sessions/([^"]+)">`)
	for _, c := range []struct {
		path, count string
		want        []string
	}{
		{"/sessions?tool=lookup_order", "2 of 4 sessions", []string{sessionfixture.Beta, sessionfixture.Alpha}},
		{"/sessions?tool=lookup_order&errors=1", "1 of 4 sessions", []string{sessionfixture.Alpha}},
		{"/sessions?tool=web_search", "1 of 4 sessions", []string{sessionfixture.Gamma}},
		{"/sessions?tool=no_such_tool", "0 of 4 sessions", nil},
	} {
		body := get(c.path)
		var got []string
		for _, m := range listed.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if !strings.Contains(body, c.count) || strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: sessions %v (want %v), count %q in:\n%s", c.path, got, c.want, c.count, body)
		}
	}
	body := get("/sessions")
	if !strings.Contains(body, "<th>Model</th>") || !regexp.MustCompile(`<td>support-bot</td><td>gpt-4o-mini</td>`).MatchString(body) {
		t.Errorf("no model column with s-gamma's gpt-4o-mini:\n%s", body)
	}
	if strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the hostile model name is not escaped:\n%s", body)
	}
}
