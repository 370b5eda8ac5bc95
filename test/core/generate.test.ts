// Decoding rules on the real model: no empty answers, no prompt markers, no repeated n-grams.
import assert from 'node:assert/strict';
import test from 'node:test';
import { askPrompt, generate } from '../../src/core/generate';
import { loadModel } from '../../src/core/model';
import { modelDir, noModel, recordingLogger } from './helpers';

const skip = noModel();

test('greedy decoding never stops empty, never emits markers, never repeats a trigram', { skip }, async () => {
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    const c = model.config;
    const memory = new Float32Array(c.memorySize * c.dModel);
    const context = model.tokenizer.encode('def parse(text):\n    """Parse the text into tokens."""\n    return text.split()\n');
    const prompt = askPrompt(model, context, model.tokenizer.encode('What does parse do?'));
    const out = await generate(model, prompt, memory, { maxTokens: 40 });
    assert.ok(out.ids.length >= 1, 'at least one token before end of sequence');
    const special = new Set(Object.values(c.specialTokens));
    assert.ok(out.ids.every((id) => !special.has(id)), `no special tokens in ${out.ids.join(',')}`);
    const seen = new Set<string>();
    for (let i = 0; i + 3 <= out.ids.length; i++) {
      const key = out.ids.slice(i, i + 3).join(',');
      assert.ok(!seen.has(key), `trigram ${key} repeated in ${out.ids.join(',')}`);
      seen.add(key);
    }
    const free = await generate(model, prompt, memory, { maxTokens: 40, minTokens: 0, noRepeatNgram: 0 });
    assert.ok(free.ids.every((id) => id !== c.specialTokens.eos), 'eos ends the stream and is not part of it');
  } finally {
    await model.runtime.dispose();
  }
});
