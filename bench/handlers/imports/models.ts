// P1 import breakdown, step 2: plus the models and the wire decoders (Parameter, Secret, Wire).
export * as Wire from "@secrets-config/core/Wire"
export * from "./errors.js"
