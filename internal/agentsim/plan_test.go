package agentsim

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestPlanIsDeterministicForASeed(t *testing.T) {
	cfg := Config{Sessions: 20, Users: 4, Seed: 7}
	if !reflect.DeepEqual(Plan(cfg), Plan(cfg)) {
		t.Fatal("two plans for the same config differ")
	}
	longer := cfg
	longer.Sessions = 30
	if !reflect.DeepEqual(Plan(cfg), Plan(longer)[:20]) {
		t.Fatal("a longer run does not start with the shorter run's sessions")
	}
	other := cfg
	other.Seed = 8
	if reflect.DeepEqual(Plan(cfg), Plan(other)) {
		t.Fatal("seeds 7 and 8 plan the same sessions")
	}
}

func TestPlanCoversTheScenario(t *testing.T) {
	sessions := Plan(Config{Sessions: 200, Users: 5, Seed: 1})
	sessionIDs, users, agents, tools := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]int{}
	var calls, timeouts, retries, noToolTurns int
	var pii PII
	for _, s := range sessions {
		if sessionIDs[s.ID] {
			t.Fatalf("session id %s planned twice", s.ID)
		}
		sessionIDs[s.ID] = true
		users[s.UserID] = true
		agents[s.Agent.Name] = true
		if len(s.Turns) < 1 || len(s.Turns) > 3 {
			t.Fatalf("session %s has %d turns, want 1-3", s.ID, len(s.Turns))
		}
		pii.Emails = append(pii.Emails, s.PII.Emails...)
		pii.Phones = append(pii.Phones, s.PII.Phones...)
		pii.Cards = append(pii.Cards, s.PII.Cards...)
		pii.APIKeys = append(pii.APIKeys, s.PII.APIKeys...)
		for _, turn := range s.Turns {
			if len(turn.ToolCalls) == 0 {
				noToolTurns++
			}
			for i, c := range turn.ToolCalls {
				tools[c.Name]++
				calls++
				if c.Error != "" {
					timeouts++
					retry := turn.ToolCalls[i+1]
					if retry.Name != c.Name || retry.CallID == c.CallID || retry.RetryAttempt != 1 || retry.Error != "" {
						t.Fatalf("timed-out call %+v is not followed by a successful retry of the same tool: %+v", c, retry)
					}
					if c.Error != "timeout after 5000ms" || c.ErrorType != "TimeoutError" || c.Duration.Milliseconds() != 5000 {
						t.Fatalf("timed-out call = %q %q %s", c.Error, c.ErrorType, c.Duration)
					}
				}
				if c.RetryAttempt > 0 {
					retries++
				}
			}
		}
	}
	if len(users) != 5 || len(agents) != 2 {
		t.Errorf("sessions spread over %d users and %d agents, want 5 and 2", len(users), len(agents))
	}
	for _, tool := range []string{"search_flights", "book_flight", "get_weather", "lookup_customer", "send_email"} {
		if tools[tool] == 0 {
			t.Errorf("tool %s never called", tool)
		}
	}
	// ~15% of calls time out; with a few hundred calls anything in 5-30% is the intended rate.
	if rate := float64(timeouts) / float64(calls-retries); rate < 0.05 || rate > 0.30 || timeouts != retries {
		t.Errorf("%d timeouts and %d retries over %d calls", timeouts, retries, calls)
	}
	if noToolTurns == 0 {
		t.Error("every turn calls a tool; the direct-answer path is never planned")
	}
	if len(pii.Emails) == 0 || len(pii.Phones) == 0 || len(pii.Cards) == 0 || len(pii.APIKeys) == 0 {
		t.Errorf("planted PII is missing a kind: %d emails, %d phones, %d cards, %d API keys",
			len(pii.Emails), len(pii.Phones), len(pii.Cards), len(pii.APIKeys))
	}
	e164 := regexp.MustCompile(`^\+[1-9]\d{7,14}$`)
	var sawE164, sawNANP bool
	for _, p := range pii.Phones {
		sawE164 = sawE164 || e164.MatchString(p)
		sawNANP = sawNANP || strings.HasPrefix(p, "+1 (") || strings.HasPrefix(p, "+1-")
	}
	if !sawE164 || !sawNANP {
		t.Errorf("phones lack a form (E.164 %v, punctuated NANP %v): %q", sawE164, sawNANP, pii.Phones)
	}
	apiKey := regexp.MustCompile(`^(sk-proj-[A-Za-z0-9]{40,}|ghp_[A-Za-z0-9]{36})$`)
	for _, k := range pii.APIKeys {
		if !apiKey.MatchString(k) {
			t.Errorf("API key %q has neither the OpenAI project nor the GitHub token shape", k)
		}
	}
}

func TestPlantedValuesAppearInTheSession(t *testing.T) {
	for _, s := range Plan(Config{Sessions: 50, Users: 3, Seed: 3}) {
		text := mustJSON(s.Turns)
		for _, v := range append(append(append(append(append([]string{}, s.PII.Emails...), s.PII.Phones...), s.PII.Cards...), s.PII.APIKeys...), s.Benign...) {
			if !strings.Contains(text, v) {
				t.Errorf("session %s lists %q as planted but never uses it", s.ID, v)
			}
		}
	}
}

func TestPlantedCardsAreLuhnValid(t *testing.T) {
	var cards []string
	for _, s := range Plan(Config{Sessions: 300, Users: 40, Seed: 11}) {
		cards = append(cards, s.PII.Cards...)
	}
	if len(cards) < 10 {
		t.Fatalf("only %d cards planted", len(cards))
	}
	lengths := map[int]bool{}
	for _, c := range cards {
		if !luhnValid(c) {
			t.Errorf("planted card %q fails the Luhn check", c)
		}
		lengths[len(strings.NewReplacer(" ", "", "-", "").Replace(c))] = true
	}
	if !lengths[15] || !lengths[16] {
		t.Errorf("want both 15-digit (Amex) and 16-digit cards, got lengths %v", lengths)
	}
}

func TestLuhnValid(t *testing.T) {
	for number, want := range map[string]bool{
		"4111 1111 1111 1111": true,
		"4111-1111-1111-1111": true,
		"5500005555555559":    true,
		"378282246310005":     true,
		"4111 1111 1111 1112": false,
		"ORD-2024-118844":     false,
		"1234":                false,
	} {
		if got := luhnValid(number); got != want {
			t.Errorf("luhnValid(%q) = %v, want %v", number, got, want)
		}
	}
}

// luhnValid reports whether number (spaces and dashes allowed) passes the Luhn check.
func luhnValid(number string) bool {
	digits := strings.NewReplacer(" ", "", "-", "").Replace(number)
	if len(digits) < 12 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return luhnCheckDigit(digits[:len(digits)-1]) == int(digits[len(digits)-1]-'0')
}
