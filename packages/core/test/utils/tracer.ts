/** A tracer that keeps every span it makes, to assert on names, attributes, events and exits. */
import { Layer, Tracer } from "effect"

export interface CapturedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  status: Tracer.SpanStatus
}

export const makeCapturingTracer = () => {
  const spans: Array<CapturedSpan> = []
  let id = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const events: CapturedSpan["events"] = []
      const span: Tracer.Span & CapturedSpan = {
        _tag: "Span",
        name,
        spanId: `span-${++id}`,
        traceId: "trace-1",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        events,
        links: [...links],
        sampled: true,
        kind,
        end(endTime, exit) {
          span.status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event(name, _startTime, attrs) {
          events.push({ name, attributes: attrs })
        },
        addLinks() {}
      }
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { spans, layer: Layer.setTracer(tracer) }
}
