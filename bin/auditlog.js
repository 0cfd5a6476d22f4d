#!/usr/bin/env node
// The package's bin: Node 24 runs the TypeScript sources directly (type stripping).
import '../src/cli/main.ts';
