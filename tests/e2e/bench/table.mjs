// Prints the benchmark's rows (JSON lines {figure, target, measured, pass},
// from bench/browser.mjs and `campo-bench relay --out`) as one table.
//
//   node bench/table.mjs rows.jsonl
import { readFileSync } from 'node:fs';
import os from 'node:os';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/table.mjs ROWS.jsonl');
  process.exit(2);
}
const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
  try { return JSON.parse(l); } catch (e) { throw new Error(`${file}:${i + 1}: not a JSON row: ${e.message}`); }
});
const verdict = (p) => (p === true ? 'pass' : p === false ? 'FAIL' : '—');
const cells = rows.map((r) => [r.figure, r.target ?? '—', r.measured, verdict(r.pass)]);
const head = ['figure', 'target', 'measured', 'pass'];
const esc = (s) => String(s).replaceAll('|', '\\|');
console.log(`\nCampo benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n`);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const c of cells) console.log(`| ${c.map(esc).join(' | ')} |`);
const failed = rows.filter((r) => r.pass === false).length;
console.log(`\n${rows.length} figures, ${failed} over target.`);
