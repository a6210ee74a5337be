// Loads editors/vscode's TextMate grammar with the engine VS Code itself uses (vscode-textmate on
// vscode-oniguruma), headless, and tokenizes rule files: every regex compiles, every line of
// every fixture tokenizes, and the dialect's parts get their scopes.
// Usage: node tests/editors/grammar.js NODE_MODULES REPO
'use strict';

const fs = require('fs');
const path = require('path');
const [modules, repo] = process.argv.slice(2);
const textmate = require(path.join(modules, 'vscode-textmate'));
const oniguruma = require(path.join(modules, 'vscode-oniguruma'));

const grammarPath = path.join(repo, 'editors/vscode/syntaxes/rulesctl.tmLanguage.json');
const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma/release/onig.wasm')).buffer;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : e.name.endsWith('.hcl') ? [full] : [];
  });
}

function tokenize(grammar, text) {
  let stack = textmate.INITIAL;
  const out = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      out.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    }
    stack = result.ruleStack;
  }
  return out;
}

let failures = 0;
function expect(tokens, text, scope) {
  const found = tokens.filter((t) => t.text.trim() === text);
  if (!found.some((t) => t.scopes.some((s) => s.startsWith(scope)))) {
    failures += 1;
    console.log(`FAIL: \`${text}\` has no ${scope} scope: ${JSON.stringify(found.map((t) => t.scopes))}`);
  }
}

(async () => {
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.hcl.rulesctl'
        ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
        : null,
  });
  const grammar = await registry.loadGrammar('source.hcl.rulesctl');

  // Every .hcl the repository holds tokenizes (a bad regex throws here).
  const all = [path.join(repo, 'rulesctl.hcl'), ...files(path.join(repo, 'examples')), ...files(path.join(repo, 'tests/fixtures'))];
  let lines = 0;
  for (const file of all) {
    const text = fs.readFileSync(file, 'utf8');
    tokenize(grammar, text);
    lines += text.split('\n').length;
  }

  const sample = [
    '# a comment',
    'spawn_config {',
    '  region         = "crystal_caves"  // trailing',
    '  base_rate      = 12',
    '  cooldown_ms    = 8000',
    '}',
    'loot_table "tier_3_drops" {',
    '  item "dragon_scale" { weight = 5 }',
    '}',
    'safety_bounds {',
    '  max_spawn_rate_multiplier = 2.5',
    '  /* block',
    '     comment */',
    '  bad = "${var.x}"',
    '  flag = true',
    '  gone = null',
    '  ref = var.other',
    '}',
  ].join('\n');
  const tokens = tokenize(grammar, sample);
  expect(tokens, '# a comment', 'comment.line');
  expect(tokens, '// trailing', 'comment.line');
  expect(tokens, 'spawn_config', 'keyword.other.block');
  expect(tokens, 'loot_table', 'keyword.other.block');
  expect(tokens, 'item', 'keyword.other.block');
  expect(tokens, '"tier_3_drops"', 'entity.name.label');
  expect(tokens, 'region', 'variable.other.property');
  expect(tokens, 'weight', 'variable.other.property');
  expect(tokens, 'crystal_caves', 'string.quoted.double');
  expect(tokens, '12', 'constant.numeric');
  expect(tokens, '2.5', 'constant.numeric');
  expect(tokens, '5', 'constant.numeric');
  expect(tokens, 'comment', 'comment.block');
  expect(tokens, '${', 'invalid.illegal.template');
  expect(tokens, 'true', 'constant.language.boolean');
  expect(tokens, 'null', 'invalid.illegal');
  expect(tokens, 'var', 'invalid.illegal.expression');
  console.log(`tokenized ${all.length} files, ${lines} lines; ${failures} failed expectations`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((err) => {
  console.log(`FAIL: ${err.stack || err}`);
  process.exit(1);
});
