/**
 * The metrics every `SecretsConfig` layer records, through Effect's `Metric`: export them with any
 * Effect metrics exporter (OpenTelemetry, Prometheus). Labels carry operations, dialects and error
 * tags — never names or values.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * Reads served from `SecretsConfigCache` without calling the underlying layer.
 *
 * @since 0.1.0
 * @category metrics
 */
export const cacheHits = Metric.counter("secrets_config_cache_hits", {
  description: "Reads served from the in-process cache",
  incremental: true
})

/**
 * Reads `SecretsConfigCache` passed to the underlying layer (one per single-flight fetch).
 *
 * @since 0.1.0
 * @category metrics
 */
export const cacheMisses = Metric.counter("secrets_config_cache_misses", {
  description: "Reads that were not in the in-process cache",
  incremental: true
})

/**
 * Values served stale by `SecretsConfigCache` because a refresh failed (stale-if-error).
 *
 * @since 0.1.0
 * @category metrics
 */
export const staleServed = Metric.counter("secrets_config_stale_served", {
  description: "Values served stale after a failed refresh",
  incremental: true
})

/**
 * HTTP requests sent to the endpoint, attempts and retries included.
 *
 * @since 0.1.0
 * @category metrics
 */
export const endpointRequests = Metric.counter("secrets_config_endpoint_requests", {
  description: "HTTP requests sent to the Parameters and Secrets endpoint",
  incremental: true
})

/**
 * Retries after a transient failure.
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries = Metric.counter("secrets_config_retries", {
  description: "Retries after a transient failure",
  incremental: true
})

/**
 * Failed reads, tagged `error` with the error's tag.
 *
 * @since 0.1.0
 * @category metrics
 */
export const errors = Metric.counter("secrets_config_errors", {
  description: "Failed reads, by error tag",
  incremental: true
})

/**
 * Duration of reads through a `SecretsConfig` implementation (cache hits excluded), in milliseconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const fetchLatency = Metric.timerWithBoundaries(
  "secrets_config_fetch_latency",
  [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
  "Duration of reads through a SecretsConfig implementation"
)
