// Command genkit-agent plays the client scenario (test/clients/lib/scenario.mjs) with Firebase
// Genkit for Go: a flow asks an OpenAI-compatible model (the compat_oai plugin, pointed at the fake
// model server in OPENAI_BASE_URL) for tool calls, runs the requested Genkit tools itself
// (WithReturnToolRequests: getWeather succeeds, deleteFile fails with "permission denied"), hands
// the results back and returns the final answer. Genkit writes its spans through the global
// OpenTelemetry tracer provider, set here to export OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT with
// OTEL_RESOURCE_ATTRIBUTES. Genkit has no user id of its own: the session and user ids are resource
// attributes, as a service handling one session per process would set them.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/firebase/genkit/go/ai"
	"github.com/firebase/genkit/go/genkit"
	"github.com/firebase/genkit/go/plugins/compat_oai"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const (
	systemPrompt = "You are a careful assistant. You may check the weather and manage files."
	userPrompt   = "I am jane.doe@example.com and my card is 4111 1111 1111 1111. " +
		"What is the weather in Paris? Then delete /tmp/report.txt."
	modelID     = "mock-gpt-4o"
	finalAnswer = "It is sunny and 21 degrees in Paris. I could not delete /tmp/report.txt: permission denied."
)

type weatherIn struct {
	City string `json:"city"`
}

type weather struct {
	City         string `json:"city"`
	Forecast     string `json:"forecast"`
	TemperatureC int    `json:"temperatureC"`
}

type deleteIn struct {
	Path string `json:"path"`
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "genkit-agent:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	exporter, err := otlptracehttp.New(ctx) // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL
	if err != nil {
		return err
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithAttributes(
		attribute.String("session.id", os.Getenv("AGENT_SESSION_ID")),
		attribute.String("user.id", os.Getenv("AGENT_USER_ID")),
	))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)

	oai := &compat_oai.OpenAICompatible{Provider: "fake", APIKey: "test-key", BaseURL: os.Getenv("OPENAI_BASE_URL")}
	g := genkit.Init(ctx, genkit.WithPlugins(oai))
	model := oai.DefineModel("fake", modelID, ai.ModelOptions{Supports: &ai.ModelSupports{Multiturn: true, Tools: true, SystemRole: true}})
	getWeather := genkit.DefineTool(g, "getWeather", "Returns the weather in a city.",
		func(tc *ai.ToolContext, in weatherIn) (weather, error) {
			return weather{City: in.City, Forecast: "sunny", TemperatureC: 21}, nil
		})
	deleteFile := genkit.DefineTool(g, "deleteFile", "Deletes a file.",
		func(tc *ai.ToolContext, in deleteIn) (string, error) {
			return "", errors.New("permission denied: " + in.Path)
		})
	tools := map[string]interface {
		RunRaw(context.Context, any) (any, error)
	}{"getWeather": getWeather, "deleteFile": deleteFile}

	agent := genkit.DefineFlow(g, "weatherAgent", func(ctx context.Context, question string) (string, error) {
		history := []*ai.Message{ai.NewSystemTextMessage(systemPrompt), ai.NewUserTextMessage(question)}
		for range 3 {
			resp, err := genkit.Generate(ctx, g, ai.WithModel(model), ai.WithMessages(history...),
				ai.WithTools(getWeather, deleteFile), ai.WithReturnToolRequests(true))
			if err != nil {
				return "", err
			}
			requests := resp.ToolRequests()
			if len(requests) == 0 {
				return resp.Text(), nil
			}
			history = append(history, resp.Message)
			var results []*ai.Part
			for _, req := range requests {
				out, err := tools[req.Name].RunRaw(ctx, req.Input)
				if err != nil { // the model is told, as real agents do
					out = map[string]any{"error": err.Error()}
				}
				results = append(results, ai.NewToolResponsePart(&ai.ToolResponse{Name: req.Name, Ref: req.Ref, Output: out}))
			}
			history = append(history, ai.NewMessage(ai.RoleTool, nil, results...))
		}
		return "", errors.New("the agent did not finish")
	})
	answer, err := agent.Run(ctx, userPrompt)
	if shutdownErr := tp.Shutdown(ctx); shutdownErr != nil && err == nil {
		err = shutdownErr
	}
	if err != nil {
		return err
	}
	if answer != finalAnswer {
		return fmt.Errorf("unexpected answer %q", answer)
	}
	return nil
}
