import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listSlashCommands } from '../src/prompts/slash-commands.js';

let scratch: string;
let cwd: string;
let claudeConfigDir: string;

function put(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'slash-commands-'));
  cwd = path.join(scratch, 'repo');
  claudeConfigDir = path.join(scratch, 'claude');
  mkdirSync(cwd);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('listSlashCommands', () => {
  it('reads project and user commands, namespaces subfolders, takes the frontmatter and sorts by name', async () => {
    put(path.join(cwd, '.claude/commands/greet.md'), '---\ndescription: Greets someone\nargument-hint: <name>\n---\nSay hello to $ARGUMENTS.\n');
    put(path.join(cwd, '.claude/commands/team/review.md'), '\n\nReview the code of $ARGUMENTS carefully.\n');
    put(path.join(claudeConfigDir, 'commands/mine.md'), 'My own command.\n');
    put(path.join(claudeConfigDir, 'commands/greet.md'), '---\ndescription: The user one\n---\nHi.\n');
    put(path.join(cwd, '.claude/commands/notes.txt'), 'not a command');
    put(path.join(cwd, '.claude/commands/-flag.md'), 'a name that starts with a dash');
    const commands = await listSlashCommands({ cwd, claudeConfigDir });
    expect(commands.map((command) => [command.name, command.source, command.description, command.argumentHint])).toEqual([
      ['greet', 'project', 'Greets someone', '<name>'],
      ['mine', 'user', 'My own command.', undefined],
      ['team:review', 'project', 'Review the code of $ARGUMENTS carefully.', undefined],
    ]);
  });

  it('skips files over 256 KiB and finds nothing where there are no folders', async () => {
    expect(await listSlashCommands({ cwd, claudeConfigDir })).toEqual([]);
    put(path.join(cwd, '.claude/commands/huge.md'), 'x'.repeat(300 * 1024));
    expect(await listSlashCommands({ cwd, claudeConfigDir })).toEqual([]);
  });
});
