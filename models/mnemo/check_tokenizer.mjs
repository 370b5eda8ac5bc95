// Checks that the Python encoder (models/mnemo/tokenizer.py) and @huggingface/tokenizers agree
// token for token on real held-out files.
//   /usr/bin/python3 -m models.mnemo.tokenizer --dump-check 300 [--out DIR/tokenizer.json]
//   node models/mnemo/check_tokenizer.mjs models/data/tokenizer.json models/data/tok_check.jsonl
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/../../../');
const { Tokenizer } = require('@huggingface/tokenizers');

const [tokPath, checkPath] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), {});
let files = 0, bad = 0, tokens = 0;
for (const line of readFileSync(checkPath, 'utf8').split('\n')) {
  if (!line) continue;
  const { path, text, ids } = JSON.parse(line);
  const got = tok.encode(text, { add_special_tokens: false }).ids;
  files++; tokens += ids.length;
  const same = got.length === ids.length && got.every((v, i) => v === ids[i]);
  if (!same) {
    bad++;
    let i = 0; while (i < ids.length && got[i] === ids[i]) i++;
    console.error(`MISMATCH ${path} at token ${i}: js ${got.slice(i, i + 5)} py ${ids.slice(i, i + 5)}`);
  }
  const back = tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  if (back !== text.replace(/<\|(pad|bos|eos|question|answer|summary|explain|path|sep)\|>/g, '')) { bad++; console.error(`DECODE differs ${path}`); }
}
console.log(`${files} files, ${tokens} tokens, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
