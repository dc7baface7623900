/**
 * The command registry: each command module exports one function that adds
 * itself to the yargs parser. Keep one line per command.
 */

import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
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

export type CommandInstaller = (y: Argv, ctx: CliContext) => Argv;

export const COMMANDS: CommandInstaller[] = [
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
];
