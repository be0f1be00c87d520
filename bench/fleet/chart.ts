/**
 * Charts of the fleet simulation, drawn with Vega-Lite and rendered to SVG headless by Vega (no
 * browser, no canvas).
 */
import * as vega from "vega"
import { compile, type TopLevelSpec } from "vega-lite"

export interface Point {
  readonly environments: number
  readonly strategy: string
  /** Which served share: all invocations over the horizon, or the cold starts (first invocations). */
  readonly metric: string
  readonly served: number
}

/** Served % against the scale-out size (log scale), one line per strategy, one panel per metric. */
export const servedVsScaleOut = async (points: ReadonlyArray<Point>, title: string): Promise<string> => {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, anchor: "start", fontSize: 13 },
    data: { values: points as Array<Point> },
    facet: { column: { field: "metric", type: "nominal", title: null, sort: null } },
    spec: {
      width: 330,
      height: 240,
      layer: [
        {
          mark: { type: "line", point: true, strokeWidth: 2 },
          encoding: {
            x: {
              field: "environments",
              type: "quantitative",
              scale: { type: "log" },
              axis: { title: "environments started at once (step)", grid: true, format: "~s" }
            },
            y: {
              field: "served",
              type: "quantitative",
              scale: { domain: [0, 100] },
              axis: { title: "served %", grid: true }
            },
            color: {
              field: "strategy",
              type: "nominal",
              sort: ["naive", "defaults", "opt-in"],
              scale: { range: ["#d62728", "#ff7f0e", "#1f77b4"] },
              legend: { title: "client", orient: "bottom" }
            },
            strokeDash: {
              field: "strategy",
              type: "nominal",
              sort: ["naive", "defaults", "opt-in"],
              // The same field and title as the colour: one legend showing both.
              legend: { title: "client", orient: "bottom" }
            }
          }
        }
      ]
    },
    config: { font: "sans-serif", view: { stroke: "#ccc" } }
  }
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}
