/**
 * The command registry: each command module exports one declaration
 * (spec.ts). Keep one line per command.
 */

import type { CommandSpec } from "../spec.js";
import { decodeCommand } from "./decode.js";
import { encodeCommand } from "./encode.js";
import { geometryCommand } from "./geometry.js";
import { replayCommand } from "./replay.js";
import { dumpCommand } from "./dump.js";
import { combineCommand } from "./combine.js";
import { explainCommand } from "./explain.js";
import { walkCommand } from "./walk.js";
import { checkCommand } from "./check.js";
import { regCommand } from "./reg.js";
import { faultCommand } from "./fault.js";
import { benchCommand } from "./bench.js";
import { atCommand } from "./at.js";
import { imageCommand } from "./image.js";

export const COMMANDS: readonly CommandSpec[] = [
  decodeCommand,
  encodeCommand,
  geometryCommand,
  replayCommand,
  dumpCommand,
  combineCommand,
  explainCommand,
  walkCommand,
  checkCommand,
  regCommand,
  faultCommand,
  benchCommand,
  atCommand,
  imageCommand,
];
