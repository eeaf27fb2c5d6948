// The TypeScript ImmuKV client's canonical JSON, for the tests: JSON.stringify with
// every object's keys re-inserted in sorted order (JavaScript then lists integer-like
// keys first), then every UTF-16 code unit from 0x80 up escaped as \uxxxx.
// Reads a JSON array on stdin and prints the canonical text of each element, one per line.
const input = require("fs").readFileSync(0, "utf8");
const sortKeys = (key, value) =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.keys(value).sort().reduce((sorted, k) => ((sorted[k] = value[k]), sorted), {})
    : value;
const escapeNonAscii = (text) =>
  text.replace(/[^\x00-\x7f]/g, (unit) => "\\u" + unit.charCodeAt(0).toString(16).padStart(4, "0"));
for (const value of JSON.parse(input)) {
  process.stdout.write(escapeNonAscii(JSON.stringify(value, sortKeys)) + "\n");
}
