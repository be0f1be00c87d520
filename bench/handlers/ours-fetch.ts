/** P1 context: the example handler over `LambdaExtension.layerFetch()` (the default before `layerNode`). */
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import { makeHandler } from "./ours-over.js"

export const handler = makeHandler(LambdaExtension.layerFetch())
