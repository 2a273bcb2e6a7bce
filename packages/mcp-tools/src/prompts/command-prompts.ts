// The custom slash commands as MCP prompts. Getting one gives the message that runs it: a request
// to pass `/name arguments` to claude_ask, which Claude Code expands as its CLI does.
import type { McpServer } from '@modelcontextprotocol/server';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import * as z from 'zod';

import type { CommandWatcher } from './command-watcher.js';
import { listSlashCommands, type SlashCommand, type SlashCommandFolders } from './slash-commands.js';

/** Longest argument text accepted, in characters. */
const MAX_ARGUMENT_CHARS = 10_000;

const getParams = z.looseObject({
  name: z.string().min(1).max(200),
  arguments: z.record(z.string(), z.string().max(MAX_ARGUMENT_CHARS)).optional(),
});

/** What {@link enableCommandPrompts} needs: where the commands are, and a watcher for list changes. */
export interface CommandPromptsOptions extends SlashCommandFolders {
  /** Sends `notifications/prompts/list_changed` to this server's client when a command changes. */
  readonly watcher?: CommandWatcher | undefined;
}

function toPrompt(command: SlashCommand) {
  return {
    name: command.name,
    title: `/${command.name}`,
    description: `${command.description} (Claude Code command, ${command.source})`,
    arguments: [{ name: 'arguments', description: command.argumentHint ?? 'What follows the command, as you would type it after it', required: false }],
  };
}

/** The message that runs a command through claude_ask. */
function runMessage(command: SlashCommand, args: string, cwd: string): string {
  const query = `/${command.name}${args ? ` ${args}` : ''}`;
  return `Run the Claude Code command ${query} in ${cwd}: call the claude_ask tool with the query ${JSON.stringify(query)}.`;
}

/**
 * Declares `prompts` (with `listChanged`) on `server` and answers `prompts/list` and `prompts/get`
 * from the project's and the user's slash commands, read at each request.
 *
 * @example
 * ```ts
 * enableCommandPrompts(server, { cwd: '/repo', claudeConfigDir: '/home/me/.claude', watcher });
 * ```
 */
export function enableCommandPrompts(server: McpServer, options: CommandPromptsOptions): void {
  const lowLevel = server.server;
  lowLevel.registerCapabilities({ prompts: { listChanged: true } });
  lowLevel.setRequestHandler('prompts/list', async () => ({ prompts: (await listSlashCommands(options)).map(toPrompt) }));
  lowLevel.setRequestHandler('prompts/get', async (request) => {
    const params = getParams.safeParse(request.params);
    if (!params.success) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid prompts/get params: ${z.prettifyError(params.error)}`);
    const command = (await listSlashCommands(options)).find((candidate) => candidate.name === params.data.name);
    if (!command) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `No prompt ${params.data.name}; list them with prompts/list.`);
    const args = (params.data.arguments?.['arguments'] ?? '').replace(/[\r\n]+/g, ' ').trim();
    return {
      description: command.description,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: runMessage(command, args, options.cwd) } }],
    };
  });
  const stop = options.watcher?.onChange(() => {
    lowLevel.sendPromptListChanged().catch(() => undefined);
  });
  if (stop) {
    const previous = lowLevel.onclose;
    lowLevel.onclose = () => {
      stop();
      previous?.();
    };
  }
}
