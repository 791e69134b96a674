// OpenTelemetry set-up shared by the client scripts: traces and logs over OTLP/HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT, JSON or protobuf by OTEL_EXPORTER_OTLP_PROTOCOL, as a new user
// would configure it. Export failures are counted so that a script exits non-zero when its
// telemetry did not arrive, instead of the SDK's default of logging and dropping.
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const exporterPackages = {
  'http/json': {
    traces: '@opentelemetry/exporter-trace-otlp-http',
    logs: '@opentelemetry/exporter-logs-otlp-http',
  },
  'http/protobuf': {
    traces: '@opentelemetry/exporter-trace-otlp-proto',
    logs: '@opentelemetry/exporter-logs-otlp-proto',
  },
};

/** Reads the scenario's environment; throws naming the variable that is missing or wrong. */
export function clientEnv() {
  const env = {
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    protocol: process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    sessionId: process.env.AGENT_SESSION_ID,
    userId: process.env.AGENT_USER_ID,
  };
  for (const [name, value] of [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', env.endpoint],
    ['AGENT_SESSION_ID', env.sessionId],
    ['AGENT_USER_ID', env.userId],
  ]) {
    if (!value) throw new Error(`${name} must be set`);
  }
  if (!exporterPackages[env.protocol]) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${env.protocol}: want one of ${Object.keys(exporterPackages).join(', ')}`);
  }
  return env;
}

// Wraps an exporter so that failed exports are remembered for shutdown().
function counting(exporter, failures, signal) {
  return {
    export(items, done) {
      exporter.export(items, (result) => {
        if (result.code !== 0) failures.push(`${signal}: ${result.error?.message ?? 'export failed'}`);
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
}

/**
 * Registers global tracer and logger providers exporting to the collector. The resource is
 * service.name plus resourceAttributes plus OTEL_RESOURCE_ATTRIBUTES. Returns shutdown(), which flushes both and throws if any export failed.
 */
export async function startTelemetry({ env, serviceName, resourceAttributes = {} }) {
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  const packages = exporterPackages[env.protocol];
  const { OTLPTraceExporter } = await import(packages.traces);
  const { OTLPLogExporter } = await import(packages.logs);
  const failures = [];
  // OTEL_RESOURCE_ATTRIBUTES is honoured, as the SDK's own auto-configuration would.
  const resource = resourceFromAttributes({ 'service.name': serviceName, ...resourceAttributes }).merge(
    detectResources({ detectors: [envDetector] }),
  );

  // Each run exports once, at shutdown, so that a run reaches the collector as one request per
  // signal whatever the machine's speed: the mapping drops a conversation's repeated history only
  // within one batch, and the test is about the mapping, not about where a timer splits the run.
  const scheduledDelayMillis = 60_000;
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(counting(new OTLPTraceExporter(), failures, 'traces'), { scheduledDelayMillis }),
    ],
  });
  tracerProvider.register();
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: counting(new OTLPLogExporter(), failures, 'logs'),
        scheduledDelayMillis,
      }),
    ],
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  return {
    async shutdown() {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
      if (failures.length > 0) throw new Error(`telemetry export failed: ${failures.join('; ')}`);
    },
  };
}

/** Runs main(), exiting non-zero with the error on any failure. */
export function runClient(main) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err?.stack ?? String(err));
      process.exit(1);
    },
  );
}
