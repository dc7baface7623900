// Every `npx s2pt ...` line of the README's "Run" section runs from the repository root as
// written (through bash, for quoting, pipes and redirection), and exits 1 exactly where the comment
// above it says "(exits 1)": the README's exit-code table holds for its own examples.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const run = readme.slice(readme.indexOf("\n## Run"), readme.indexOf("\n## ", readme.indexOf("\n## Run") + 1));
const bin = join(repoRoot, "dist", "src", "cli", "main.js");

interface Example {
  line: string;
  comment: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  let comment = "";
  let inSh = false;
  for (const l of run.split("\n")) {
    if (l.startsWith("```")) {
      inSh = !inSh && l.trim() === "```sh";
      comment = "";
      continue;
    }
    if (!inSh) continue;
    if (l.startsWith("#")) comment = (comment.endsWith("\n") || comment === "" ? comment : comment + "\n") + l;
    else if (l.startsWith("npx s2pt ")) out.push({ line: l, comment });
    else if (l.trim() === "") comment = "";
  }
  return out;
}

describe("the README's Run section", () => {
  const all = examples();
  it("has its examples", () => expect(all.length).toBeGreaterThan(20));
  it.each(all.map((e) => [e.line, e] as const))("%s", (_, e) => {
    // A redirection into the checkout would leave a file behind: send it nowhere.
    const cmd = e.line.replace(/^npx s2pt /, '"$NODE" "$BIN" ').replace(/>\s*\S+$/, "> /dev/null");
    const r = spawnSync("bash", ["-o", "pipefail", "-c", cmd.includes("|") ? cmd.replace(/\|\s*head\b.*$/, "| head > /dev/null") : cmd], {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 64 << 20,
      env: { ...process.env, NODE: process.execPath, BIN: bin },
    });
    const wantsOne = /\(exits 1\)/.test(e.comment);
    expect(r.status, `${e.line}\n${r.stderr}`).toBe(wantsOne ? 1 : 0);
    expect(r.stderr.replace(/^s2pt: prot: .*\n$/, "")).toBe("");
  });
});
