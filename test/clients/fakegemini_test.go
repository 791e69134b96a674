package clients

import (
	"encoding/json"
	"net/http"
)

// serveFakeGemini answers the Gemini API's generateContent (POST /v1beta/models/<model>:generateContent)
// with the same script and usage as the fake Chat Completions server, for Google ADK's default
// model class (google-genai pointed at the fake's base URL): no Gemini is reachable from tests.
func serveFakeGemini(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1beta/models/{call}", func(w http.ResponseWriter, req *http.Request) {
		var request struct {
			Contents []struct {
				Parts []map[string]any `json:"parts"`
			} `json:"contents"`
		}
		if err := json.NewDecoder(req.Body).Decode(&request); err != nil {
			http.Error(w, `{"error":{"message":"not a generateContent request"}}`, http.StatusBadRequest)
			return
		}
		turn := 0
		for _, c := range request.Contents {
			for _, p := range c.Parts {
				if _, ok := p["functionResponse"]; ok {
					turn = 1
				}
			}
		}
		parts := []any{map[string]any{"text": finalAnswer}}
		if turn == 0 {
			parts = nil
			for _, c := range scenarioToolCalls {
				parts = append(parts, map[string]any{"functionCall": map[string]any{"id": c.id, "name": c.name, "args": c.args}})
			}
		}
		in, out := scenarioUsage[turn][0], scenarioUsage[turn][1]
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"candidates":    []any{map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}},
			"usageMetadata": map[string]any{"promptTokenCount": in, "candidatesTokenCount": out, "totalTokenCount": in + out},
			"modelVersion":  modelID,
			"responseId":    "gemini-" + string(rune('1'+turn)),
		})
	})
}
