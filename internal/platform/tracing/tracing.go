// Package tracing builds the OpenTelemetry tracer provider that sends the
// service's spans to a collector over OTLP/HTTP.
package tracing

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// New returns a tracer provider that batches spans to the collector whose
// base URL is endpoint (OTEL_EXPORTER_OTLP_ENDPOINT's meaning: traces go to
// its /v1/traces). Nothing is dialled until spans are sent, so a collector
// that is away costs lost spans, never a failed start. The caller shuts it
// down, which sends what is still batched.
func New(ctx context.Context, endpoint, version string) (*sdktrace.TracerProvider, error) {
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimSuffix(endpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	// The standard variables (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)
	// come last so an operator's names win.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName("yogaflow"), semconv.ServiceVersion(version)),
		resource.WithFromEnv(),
	)
	if err != nil {
		_ = exporter.Shutdown(ctx)
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)), nil
}
