#!/usr/bin/env node
/**
 * The CDK app (`cdk.json`: `npx tsx src/app.ts`). Run by the CDK CLI it writes where the CLI says;
 * run alone (`pnpm synth`) it writes `cdk.out/`, bundling the handler with the local esbuild —
 * no CLI and no AWS account needed to look at the template.
 */
import { App } from "aws-cdk-lib"
import { addDemoStack } from "./DemoStack.js"

const app = new App(process.env.CDK_OUTDIR === undefined ? { outdir: "cdk.out" } : {})
addDemoStack(app)
app.synth()
