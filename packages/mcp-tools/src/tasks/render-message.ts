import { isAssistantMessage, isResultMessage, isSystemMessage, isUserMessage, type ClaudeMessage } from '@claude-code-mcp/claude-cli-driver';

const clip = (text: string, length = 500) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** One readable line for a stream-json message of a task log, or undefined for noise. */
export function renderMessage(message: ClaudeMessage): string | undefined {
  if (isSystemMessage(message, 'init')) return `[start] session ${String(message.session_id)} · model ${String((message as { model?: unknown }).model)}`;
  if (isSystemMessage(message, 'api_retry')) return `[retry] API retry, attempt ${String((message as { attempt?: unknown }).attempt)}`;
  if (isAssistantMessage(message)) {
    return message.message.content
      .map((block) => {
        const value = block as { type: string; text?: unknown; thinking?: unknown; name?: unknown; input?: unknown };
        if (value.type === 'text') return `[assistant] ${clip(String(value.text))}`;
        if (value.type === 'thinking') return `[thinking] ${clip(String(value.thinking), 200)}`;
        if (value.type === 'tool_use') return `[tool] ${String(value.name)} ${clip(JSON.stringify(value.input), 300)}`;
        return `[${value.type}]`;
      })
      .join('\n');
  }
  if (isUserMessage(message)) {
    const content = message.message.content;
    if (typeof content === 'string') return `[user] ${clip(content)}`;
    return content
      .map((block) => {
        const value = block as { type: string; content?: unknown; is_error?: unknown; text?: unknown };
        if (value.type === 'tool_result') {
          const body = typeof value.content === 'string' ? value.content : JSON.stringify(value.content);
          return `[tool result${value.is_error ? ', error' : ''}] ${clip(body)}`;
        }
        if (value.type === 'text') return `[user] ${clip(String(value.text))}`;
        return `[${value.type}]`;
      })
      .join('\n');
  }
  if (isResultMessage(message)) {
    return message.is_error
      ? `[result: ${message.subtype}] ${clip(message.errors?.join('; ') ?? message.result ?? '')}`
      : `[result] ${clip(message.result ?? '')} (turns ${String(message.num_turns)}, $${(message.total_cost_usd ?? 0).toFixed(4)})`;
  }
  return undefined;
}
