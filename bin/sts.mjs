#!/usr/bin/env node
// The `sts` entry before it became bin/sts.cjs: `credential_process` lines that `sts configure --aws-profile`
// wrote then name this file, and keep working through it (a little slower: this file is an ES module).
import './sts.cjs';
