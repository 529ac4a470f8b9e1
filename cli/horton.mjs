#!/usr/bin/env node
// The `horton` command: loads the TypeScript CLI through tsx's API (no build step; see docs/decisions/0060-operator-cli.md).
import { tsImport } from 'tsx/esm/api';

await tsImport('./main.ts', import.meta.url);
