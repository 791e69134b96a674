// Command agentsim emits simulated AI-agent sessions (GenAI semconv traces and logs) over OTLP.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"go.opentelemetry.io/otel"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
)

func main() {
	cfg := agentsim.Config{Headers: map[string]string{}, Progress: os.Stderr}
	flag.StringVar(&cfg.Endpoint, "endpoint", "", "OTLP endpoint host:port or URL (default 127.0.0.1:4317 for grpc, 127.0.0.1:4318 for http)")
	flag.StringVar(&cfg.Protocol, "protocol", "grpc", "OTLP protocol: grpc or http")
	flag.IntVar(&cfg.Sessions, "sessions", 5, "number of sessions to emit")
	flag.IntVar(&cfg.Users, "users", 3, "number of distinct users")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed; the same seed emits the same sessions")
	flag.Float64Var(&cfg.Rate, "rate", 0, "sessions per second (0 = as fast as possible)")
	flag.BoolVar(&cfg.Insecure, "insecure", true, "use plaintext instead of TLS")
	noLogs := flag.Bool("no-logs", false, "emit traces only, no agent.reasoning / gen_ai.user.message log records")
	flag.Func("header", "header k=v sent with every export (repeatable)", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("want k=v, got %q", kv)
		}
		cfg.Headers[k] = v
		return nil
	})
	flag.Parse()
	cfg.Logs = !*noLogs
	if cfg.Endpoint == "" {
		cfg.Endpoint = map[string]string{"grpc": "127.0.0.1:4317", "http": "127.0.0.1:4318"}[cfg.Protocol]
	}

	// Run reports export failures itself; the SDK would also print each retry's error.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stats, err := agentsim.Run(ctx, cfg)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "agentsim: %v\n", strings.TrimPrefix(err.Error(), "agentsim: "))
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "agentsim: sent %d sessions (%d spans, %d log records) to %s over %s in %s\n",
		stats.Sessions, stats.SpansExported, stats.LogsExported, cfg.Endpoint, cfg.Protocol, stats.Elapsed.Round(1e6))
}
