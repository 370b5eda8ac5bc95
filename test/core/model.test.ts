// A model folder that breaks the contract is refused with an error that names the folder and
// exactly what is missing or wrong.
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel, ModelContractError } from '../../src/core/model';
import { modelDir, noModel, recordingLogger, tempDir } from './helpers';

const skip = noModel();

async function copyModel(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir('model');
  const dir = join(t.path, 'm');
  await cp(modelDir(), dir, { recursive: true, filter: (src) => !src.includes(`${modelDir()}/fixtures`) });
  return { dir, cleanup: t.cleanup };
}

test('the model folder loads and its graphs declare the contract names', { skip }, async () => {
  const m = await loadModel(modelDir(), 'auto', recordingLogger());
  try {
    assert.deepEqual([...m.runtime.signature('reader').inputNames].sort(), ['attention_mask', 'input_ids', 'memory']);
    assert.equal(m.memoryInit.length, m.config.memorySize * m.config.dModel);
    assert.equal(m.runtime.device, 'cpu'); // no GPU here: auto falls back, saying why
  } finally {
    await m.runtime.dispose();
  }
});

test('a missing graph is named', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    await rm(join(dir, 'decoder_step.onnx'));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), (e: unknown) => {
      assert.ok(e instanceof ModelContractError);
      assert.match(e.message, /decoder_step\.onnx is missing/);
      assert.ok(e.message.includes(dir));
      return true;
    });
  } finally { await cleanup(); }
});

test('wrong names in model.json are named, with the contract names', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.graphs.reader.inputs = ['input_ids', 'mask', 'memory'];
    delete json.specialTokens.sep;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), (e: unknown) => {
      assert.ok(e instanceof ModelContractError);
      assert.match(e.message, /graphs\.reader\.inputs lacks attention_mask/);
      assert.match(e.message, /graphs\.reader\.inputs has unknown mask/);
      assert.match(e.message, /specialTokens\.sep is missing/);
      return true;
    });
  } finally { await cleanup(); }
});

test('bad per-language fusion settings in model.json are named', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.retrieval = { ...json.retrieval, languages: { python: { fusionWeight: 0.3, lexicalMargin: 0.05 }, javascript: { fusionWeight: 1.5 }, go: 'lexical' } };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), (e: unknown) => {
      assert.ok(e instanceof ModelContractError);
      assert.match(e.message, /retrieval\.languages\.javascript\.fusionWeight must be a number in \[0, 1\]/);
      assert.match(e.message, /retrieval\.languages\.go must be an object/);
      assert.doesNotMatch(e.message, /languages\.python/);
      return true;
    });
  } finally { await cleanup(); }
});

test('a graph whose own names differ from model.json is named', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    // Put the query graph where the reader should be: valid ONNX, wrong inputs and outputs.
    await cp(join(dir, 'query.onnx'), join(dir, 'reader.onnx'));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), /reader\.onnx inputs are \[input_ids, attention_mask\] but model\.json says \[input_ids, attention_mask, memory\]/);
  } finally { await cleanup(); }
});

test('a missing model.json and a forced unavailable device say what to do', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    await assert.rejects(loadModel(dir, 'cuda', recordingLogger()), /device "cuda" is not available.*Set the device to "auto" or "cpu"/s);
    await rm(join(dir, 'model.json'));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), /model\.json is missing/);
  } finally { await cleanup(); }
});

test('bad per-type span thresholds in model.json are named', { skip }, async () => {
  const { dir, cleanup } = await copyModel();
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.answers = { ...json.answers, spanThresholds: { number: 0.7, place: 1.2, colour: 0.5 } };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await assert.rejects(loadModel(dir, 'cpu', recordingLogger()), (e: unknown) => {
      assert.ok(e instanceof ModelContractError);
      assert.match(e.message, /answers\.spanThresholds\.place must be a number in \[0, 1\]/);
      assert.match(e.message, /answers\.spanThresholds\.colour is no answer type/);
      assert.doesNotMatch(e.message, /spanThresholds\.number/);
      return true;
    });
  } finally { await cleanup(); }
});
