// Package piiredactionprocessor keeps raw personal data and credentials out of the audit trail: it
// scans every string of spans, logs and metric attributes in one pass (internal/detect) and replaces
// what it finds according to each detector's action. metadata.yaml describes the component and its
// telemetry (documentation.md lists the metrics); README.md its configuration.
package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"
