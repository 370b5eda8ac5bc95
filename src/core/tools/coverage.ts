// What a tool result says about the memory it came from: how much of the folder has been read,
// whether reading goes on, and what to do when nothing is there yet. Shared by every tool.
import { basename } from 'node:path';
import type { Engine, MemoryStatus, ReadProgress } from '../api';
import { percent } from './plainText';

/** A caller's mistake in a tool's arguments; front ends show its message as it is. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 90) return `, about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 5400) return `, about ${Math.round(seconds / 60)} min left`;
  return `, about ${(seconds / 3600).toFixed(1)} h left`;
}

/** One sentence on a read in progress, or undefined when none runs. */
export function readingLine(reading: ReadProgress | undefined): string | undefined {
  if (!reading || reading.phase === 'done' || reading.phase === 'cancelled' || reading.phase === 'failed' || reading.phase === 'idle') return undefined;
  if (reading.phase === 'scanning') return 'Mnemo is looking for new and changed files in this folder.';
  if (reading.phase === 'saving') return 'Mnemo is saving what it has read.';
  const fraction = reading.tokensTotal > 0 ? reading.tokensRead / reading.tokensTotal : 0;
  const verb = reading.phase === 'paused' ? 'Reading of this folder is paused' : 'Mnemo is still reading this folder';
  return `${verb}: ${count(reading.tokensRead)} of about ${count(reading.tokensTotal)} tokens (${percent(fraction)}), `
    + `${reading.filesRead} of ${reading.filesTotal} files${reading.phase === 'paused' ? '' : eta(reading.etaSeconds)}.`;
}

/** The memory line that heads every result: what was searched, and how complete it is. */
export function coverageLine(status: MemoryStatus, coverage: number): string {
  const base = `Memory of this folder: ${count(status.files)} files, ${count(status.tokens)} tokens read`;
  const reading = readingLine(status.reading);
  if (coverage >= 1) return reading ? `${base} (all of it).\n${reading}` : `${base} (all of it).`;
  const partial = `${base} (${percent(coverage)} of the folder). Results come from what has been read so far; ask again later for a complete search.`;
  return reading ? `${partial}\n${reading}` : partial;
}

/** What to say when the memory holds nothing yet: reading is under way, or has to be started. */
export function emptyMemoryText(engine: Engine): string {
  const reading = readingLine(engine.status().reading);
  if (reading) return `Nothing of this folder has been read into memory yet. ${reading} Ask again once some of it has been read.`;
  return 'Nothing of this folder is in memory, and no read is running. Start one with `mnemo read <folder>` '
    + 'or "Mnemo: Read Workspace into Memory" in VS Code, then ask again.';
}

/** A status report for agents: what is in memory, where, and whether reading goes on. */
export function statusText(engine: Engine): string {
  const s = engine.status();
  const lines = [
    // The folder by name only: results name nothing outside it, not even where it lies.
    `Folder: ${basename(s.root)}`,
    `Model: ${s.modelId} ${s.modelVersion} on ${s.device}`,
    `In memory: ${count(s.files)} files, ${count(s.segments)} segments, ${count(s.tokens)} tokens; ${count(s.diskBytes)} bytes on disk`,
    `Last read: ${s.lastReadAt ?? 'never'}`,
  ];
  lines.push(readingLine(s.reading) ?? (s.files === 0 ? 'No read is running.' : 'No read is running; the memory is current as of the last read.'));
  return lines.join('\n');
}
