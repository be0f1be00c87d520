// P1 import breakdown, step 0: the modules of the bare effect + @effect/platform + Schema stack.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const stack = [FetchHttpClient.layer, HttpClient.HttpClient, Effect.runPromise, Schema.Struct]
