// claude_checkpoint through the built server and the real CLI: files written by Write and Bash,
// a checkpoint, more changes, compare, restore of the exact tree, the conversation continuing as
// a fork, a server restart, and the user's own git repository left byte-for-byte alone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { getMessages, text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, LONG_BASH, waitForDescendant, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

/** Every file below `root` (the user's .git included when asked) with a hash of its bytes. */
function snapshot(root: string, { includeGit }: { includeGit: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name === '.git' && !includeGit) continue;
      if (entry.isDirectory()) walk(path);
      else out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex') + `:${statSync(path).mode.toString(8)}`;
    }
  };
  walk(root);
  return out;
}

type CheckpointOutput = {
  action: string;
  checkpoint?: { id: string; sessionId: string | null; fileCount: number };
  checkpoints?: { id: string }[];
  changed?: { restored: string[]; removed: string[]; recreated: string[] };
  sessionId?: string | null;
  compare?: { files: { path: string; status: string; insertions: number; deletions: number }[]; diff: string; fullDiffUri: string };
};

describe('claude_checkpoint', () => {
  it('checkpoints, compares and restores exactly; the conversation forks; it all survives a restart', async () => {
    const cwd = fixture.sandbox.cwd;
    const git = (...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' } });
    // The user's own repository: a commit, a staged change and another branch.
    writeFileSync(join(cwd, 'README.md'), '# project\n');
    writeFileSync(join(cwd, '.gitignore'), 'ignored.log\n');
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'initial');
    git('branch', 'feature');
    writeFileSync(join(cwd, 'README.md'), '# project\n\nstaged\n');
    git('add', 'README.md');
    const userGitBefore = snapshot(join(cwd, '.git'), { includeGit: true });

    fixture.mock.script(
      turn(toolUse('Write', { file_path: join(cwd, 'src.txt'), content: 'version one\n' }), { match: { userText: 'make files' } }),
      turn(toolUse('Bash', { command: 'mkdir -p lib && printf "helper v1\\n" > lib/helper.txt && printf "keep\\n" > keep.txt', description: 'more files' }), {
        match: { toolResult: true },
        times: 1,
      }),
      turn(text('files made'), { match: { toolResult: true } }),
      turn(toolUse('Bash', { command: 'printf "version two\\n" > src.txt && rm keep.txt && printf "new\\n" > added.txt && printf "log\\n" > ignored.log', description: 'change' }), {
        match: { userText: 'change things' },
      }),
      turn(text('things changed'), { match: { toolResult: true } }),
      turn(text('continuing from the checkpoint'), { match: { userText: 'where are we' } }),
    );
    const first = await connect(fixture);
    const made = first.client.callTool({ name: 'claude_ask', arguments: { query: 'make files', allowedTools: ['Write', 'Bash'] } });
    const sessionId = ((await made).structuredContent as { sessionId: string }).sessionId;
    const created = (await first.client.callTool({ name: 'claude_checkpoint', arguments: { action: 'create', sessionId, label: 'files made' } }))
      .structuredContent as CheckpointOutput;
    const checkpointId = created.checkpoint?.id ?? '';
    expect(checkpointId).toMatch(/^ckpt_[0-9a-f]{20}$/);
    expect(created.checkpoint?.sessionId).toBe(sessionId);
    const atCheckpoint = snapshot(cwd, { includeGit: false });

    await first.client.callTool({ name: 'claude_resume', arguments: { sessionId, query: 'change things', allowedTools: ['Bash'] } });
    expect(readFileSync(join(cwd, 'src.txt'), 'utf8')).toBe('version two\n');

    const comparison = await first.client.callTool({ name: 'claude_checkpoint', arguments: { action: 'compare', checkpointId } });
    const compared = comparison.structuredContent as CheckpointOutput;
    expect((comparison.content as { type: string; text?: string }[])[0]?.text).toMatch(/^3 files changed, 2 insertions\(\+\), 2 deletions\(-\)\n/);
    const statuses = Object.fromEntries((compared.compare?.files ?? []).map((file) => [file.path, file.status]));
    expect(statuses).toEqual({ 'added.txt': 'added', 'keep.txt': 'deleted', 'src.txt': 'modified' });
    expect(compared.compare?.diff).toContain('-version one');
    expect(compared.compare?.diff).toContain('+version two');
    await first.close();

    // A new server process: list and restore still work.
    const second = await connect(fixture);
    const listed = (await second.client.callTool({ name: 'claude_checkpoint', arguments: { action: 'list' } })).structuredContent as CheckpointOutput;
    expect(listed.checkpoints?.map((checkpoint) => checkpoint.id)).toEqual([checkpointId]);
    const restored = (await second.client.callTool({ name: 'claude_checkpoint', arguments: { action: 'restore', checkpointId } })).structuredContent as CheckpointOutput;
    const afterRestore = snapshot(cwd, { includeGit: false });
    // Exactly the checkpoint's tree; the ignored file written later is left alone.
    const { ['ignored.log']: ignoredLog, ...restoredTree } = afterRestore;
    expect(ignoredLog).toBeDefined();
    expect(restoredTree).toEqual(atCheckpoint);
    expect(restored.changed).toEqual({ restored: ['src.txt'], removed: ['added.txt'], recreated: ['keep.txt'] });

    // The conversation continues from the checkpoint, as a new session; the old one is kept.
    const forkId = restored.sessionId ?? '';
    expect(forkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(forkId).not.toBe(sessionId);
    const continued = (await second.client.callTool({ name: 'claude_resume', arguments: { sessionId: forkId, query: 'where are we' } })).structuredContent as {
      sessionId: string;
      result: string;
    };
    expect(continued).toMatchObject({ sessionId: forkId, result: 'continuing from the checkpoint' });
    const history = getMessages(fixture.mock.mainRequests().at(-1)?.body).flatMap((message) => message.content.map((block) => block.text ?? ''));
    expect(history).toEqual(expect.arrayContaining(['make files', 'files made', 'where are we']));
    expect(history).not.toContain('change things');
    await second.close();

    // The user's git repository never moved.
    expect(snapshot(join(cwd, '.git'), { includeGit: true })).toEqual(userGitBefore);
    expect(git('status', '--porcelain').toString()).toContain('M  README.md');
  });

  it('AUTO_CHECKPOINT takes a checkpoint before a follow-up turn', async () => {
    await fixture.dispose();
    fixture = await createServerFixture({ AUTO_CHECKPOINT: 'true' });
    fixture.mock.script(text('first'), text('second'));
    const { client, close } = await connect(fixture);
    const sessionId = ((await client.callTool({ name: 'claude_ask', arguments: { query: 'one' } })).structuredContent as { sessionId: string }).sessionId;
    const none = (await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'list' } })).structuredContent as CheckpointOutput;
    expect(none.checkpoints).toEqual([]);
    await client.callTool({ name: 'claude_resume', arguments: { sessionId, query: 'two' } });
    const listed = (await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'list', sessionId } })).structuredContent as CheckpointOutput;
    expect(listed.checkpoints).toHaveLength(1);
    await close();
  });

  it('refuses a restore while a run works in that directory, and rejects unknown ids', async () => {
    fixture.mock.script(text('hello'), turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'busy' } }));
    const { client, close, transport } = await connect(fixture);
    const sessionId = ((await client.callTool({ name: 'claude_ask', arguments: { query: 'hi' } })).structuredContent as { sessionId: string }).sessionId;
    const checkpointId = ((await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'create', sessionId } })).structuredContent as CheckpointOutput)
      .checkpoint?.id;
    const running = client.callTool({ name: 'claude_resume', arguments: { sessionId, query: 'busy', allowedTools: ['Bash'] } });
    await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    const refused = await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'restore', checkpointId } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('MCP_TOOLS_SESSION_BUSY');
    await client.callTool({ name: 'claude_abort', arguments: { sessionId } });
    await running;

    const unknown = await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'restore', checkpointId: 'ckpt_00000000000000000000' } });
    expect(unknown.isError).toBe(true);
    const malformed = await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'delete', checkpointId: '../../etc' } });
    expect(malformed.isError).toBe(true);
    // A session no one ran here: refused, and no checkpoint that would fork into nothing.
    const nobody = '00000000-0000-4000-8000-000000000000';
    const unknownSession = await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'create', sessionId: nobody } });
    expect(unknownSession.isError).toBe(true);
    expect(JSON.stringify(unknownSession.content)).toContain('MCP_TOOLS_SESSION_NOT_FOUND');
    const listed = (await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'list' } })).structuredContent as CheckpointOutput;
    expect(listed.checkpoints?.map((checkpoint) => checkpoint.id)).toEqual([checkpointId]);
    await close();
  });
});
